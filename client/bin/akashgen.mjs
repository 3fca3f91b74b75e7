#!/usr/bin/env node
// The `akashgen` command: loads the TypeScript program through tsx (no build step), runs it and exits with its code.
import { tsImport } from 'tsx/esm/api'

const { main } = await tsImport('../cli/main.ts', import.meta.url)
process.exit(await main(process.argv.slice(2), process.env))
