/** Renders docs/configuration.md from the config schema: the groups, each variable's doc, and real error lines. */

import { configDocs, type VarDoc } from '../../server/config/define.ts'
import { isSecret } from '../../server/config/load.ts'
import { CONFIG_GROUPS } from '../../server/config/schema.ts'
import { ConfigError, loadConfig } from '../../server/config.ts'

/** Where the generated page lives, from the repository root. */
export const CONFIG_DOCS_PATH = 'docs/configuration.md'

/** The line server.ts prints for `env`: rendered by loadConfig itself, so the examples cannot go stale. */
function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return `akashgen: ${error.message}`
    throw error
  }
  throw new Error(`the docs' example ${JSON.stringify(env)} was accepted`)
}

/** A table with its columns padded to the widest cell, so the Markdown source reads as a table too. */
function table(header: string[], rows: string[][]): string[] {
  const cells = [header, ...rows].map((row) => row.map((cell) => cell.replaceAll('|', '\\|')))
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column]?.length ?? 0)))
  const line = (row: string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`
  const [head = [], ...body] = cells
  return [line(head), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...body.map(line)]
}

/** One variable's row: name, default, allowed values, meaning (with a note when its value is a secret). */
function row(name: string, doc: VarDoc): string[] {
  const meaning = isSecret(name) ? `${doc.meaning}; a secret, never printed` : doc.meaning
  return [`\`${name}\``, doc.default, doc.allowed, meaning]
}

/** The whole page, as `npm run docs:config` writes it. */
export function renderConfigDocs(): string {
  const sections = CONFIG_GROUPS.flatMap((group) => {
    const rows = Object.entries(group.shape).map(([name, schema]) => {
      const doc = configDocs.get(schema)
      if (!doc) throw new Error(`${name} has no doc: define it with intVar, textVar, enumVar or flagVar`)
      return row(name, doc)
    })
    return [
      `### ${group.title}`,
      '',
      group.about,
      '',
      ...table(['variable', 'default', 'allowed values', 'meaning'], rows),
      '',
    ]
  })
  return [
    '# Configuration',
    '',
    '<!-- Generated from the config schema (server/config/) by `npm run docs:config`: edit the schema, not this file. -->',
    '',
    'The gateway reads its configuration from environment variables, once, at start-up. One zod schema',
    '([`server/config/`](../server/config/)) defines every variable on this page: its bounds, its default and',
    'its meaning; the page is generated from it and a unit test fails when the two disagree.',
    '',
    '## Setting variables',
    '',
    "Set them in the gateway's environment:",
    '',
    '```sh',
    'AKASHGEN_MAX_CONCURRENT=20 npm start',
    '```',
    '',
    'With Docker, pass each one with `-e` (`docker run -e AKASHGEN_MAX_CONCURRENT=20 akashgen`); to keep them in a',
    'file, `node --env-file=.env dist/server.mjs`. A blank value counts as unset (the default applies); variables',
    'the gateway does not know are ignored.',
    '',
    '## A bad value stops start-up',
    '',
    'Before it listens, the gateway checks every variable. A bad value stops it with exit code 1 and one line on',
    'stderr that names the variable (the first bad one) and says what it must be:',
    '',
    '```text',
    refusal({ PORT: 'http' }),
    '```',
    '',
    "Secrets are never printed: a key's or secret's value is hidden, and the credentials in a URL become `***`:",
    '',
    '```text',
    refusal({ AKASHGEN_API_KEYS: 'too-short' }),
    refusal({ REDIS_URL: 'http://:hunter2@127.0.0.1:6379' }),
    '```',
    '',
    '## Variables',
    '',
    ...sections,
  ].join('\n')
}
