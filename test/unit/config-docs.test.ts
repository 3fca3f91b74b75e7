import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { CONFIG_DOCS_PATH, renderConfigDocs } from '../../scripts/config-docs/render.ts'
import { ConfigSchema } from '../../server/config.ts'

const onDisk = readFileSync(new URL(`../../${CONFIG_DOCS_PATH}`, import.meta.url), 'utf8')

/** The variable named in each table row of the page, in order. */
const documented = [...onDisk.matchAll(/^\| `([A-Z_]+)` +\|/gm)].map((match) => match[1])

/** The cells of a variable's row: name, default, allowed values, meaning. */
function cellsOf(name: string): string[] {
  const line = onDisk.split('\n').find((row) => row.startsWith(`| \`${name}\` `)) ?? ''
  return line.split(' | ').map((cell) => cell.replace(/^\| /, '').trim())
}

describe(CONFIG_DOCS_PATH, () => {
  it('is what the schema renders today', () => {
    expect(onDisk, `${CONFIG_DOCS_PATH} is stale: run \`npm run docs:config\` and commit it`).toBe(
      renderConfigDocs(),
    )
  })

  it('has one row for every variable the schema reads, and none it does not', () => {
    expect([...documented].sort()).toEqual(Object.keys(ConfigSchema.shape).sort())
  })

  it("shows the defaults and bounds the schema enforces, read through zod's JSON Schema", () => {
    const { properties = {} } = z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' })
    const checked = Object.entries(properties).filter(([name, property]) => {
      if (typeof property === 'boolean') return false
      const [, fallback = '', allowed = ''] = cellsOf(name)
      if (property.default !== undefined) expect(fallback).toMatch(new RegExp(`^\`${property.default}\``))
      if (property.type === 'integer') expect(allowed).toContain(`${property.minimum}-${property.maximum}`)
      for (const value of property.enum ?? []) expect(allowed).toContain(String(value))
      return property.type === 'integer'
    })
    expect(checked.length).toBeGreaterThan(25)
  })
})
