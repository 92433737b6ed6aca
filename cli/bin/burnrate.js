#!/usr/bin/env node
// The installed `burnrate` command. The compiled CLI lives in ../dist.
import "../dist/main.js";
