#!/usr/bin/env node
// Committed so that package managers can link the command before the first build writes dist/.
import '../dist/bin.js';
