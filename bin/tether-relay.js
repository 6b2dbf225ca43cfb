#!/usr/bin/env node
require("../dist/relay.js");
