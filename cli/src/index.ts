export { type Config, ConfigError, configSchema, ENV_VARS, type LoadedConfig, loadConfig } from "./config.js";
export { run } from "./run.js";
