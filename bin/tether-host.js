#!/usr/bin/env node
require("../dist/host.js");
