#!/usr/bin/env node
import '../dist/bin/demo-app-main.js';
