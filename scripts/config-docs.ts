/** `npm run docs:config`: writes docs/configuration.md from the config schema (test/unit/config-docs.test.ts checks it). */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CONFIG_DOCS_PATH, renderConfigDocs } from './config-docs/render.ts'

const target = join(fileURLToPath(new URL('..', import.meta.url)), CONFIG_DOCS_PATH)
mkdirSync(dirname(target), { recursive: true })
writeFileSync(target, renderConfigDocs())
process.stdout.write(`wrote ${CONFIG_DOCS_PATH}\n`)
