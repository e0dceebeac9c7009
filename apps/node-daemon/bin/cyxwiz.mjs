#!/usr/bin/env node
import "../dist/cyxwiz.js";
