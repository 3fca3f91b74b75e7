#!/usr/bin/env node
// The `akashgen` command: runs the built CLI (dist/cli.mjs, made by `npm run build`) and exits with its code.
import { main } from '../dist/cli.mjs'

process.exit(await main(process.argv.slice(2), process.env))
