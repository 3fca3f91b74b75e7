#!/usr/bin/env node
// The `akashgen-emulator` command: runs the built program (dist/main.mjs, made by `npm run build`).
import '../dist/main.mjs'
