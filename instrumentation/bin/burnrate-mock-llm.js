#!/usr/bin/env node
// The installed `burnrate-mock-llm` command: a mock OpenAI and Anthropic API for tests and demos.
import "../dist/mock-llm/main.js";
