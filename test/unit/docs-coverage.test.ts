// Every environment variable and every npm script has a copy-paste example in the README or docs/.
import { describe, expect, it } from 'vitest'
import { ConfigSchema } from '../../server/config.ts'
import { documentationFiles, readRepoFile, shellBlocks } from '../support/markdown.ts'

/** Generated from the schema itself, so it cannot be where a variable's example is found. */
const GENERATED = 'docs/configuration.md'

/** npm runs these by itself (`npm ci` runs `prepare`); their example is the command that runs them. */
const LIFECYCLE: Record<string, string> = { prepare: 'npm ci' }

/** Every ```sh block of the README and docs/*.md (the generated page left out), as one text. */
function examples(): string {
  return documentationFiles()
    .filter((file) => (file === 'README.md' || file.startsWith('docs/')) && file !== GENERATED)
    .flatMap((file) => shellBlocks(readRepoFile(file)))
    .join('\n')
}

/** The command that runs an npm script, as a reader would type it. */
function commandFor(script: string): string {
  if (script in LIFECYCLE) return LIFECYCLE[script] as string
  return script === 'start' || script === 'test' ? `npm ${script}` : `npm run ${script}`
}

describe('documentation examples', () => {
  const text = examples()

  it('set every environment variable of the config schema somewhere', () => {
    const variables = Object.keys(ConfigSchema.shape)
    expect(variables).toEqual(expect.arrayContaining(['PORT', 'AKASHGEN_MAX_CONCURRENT', 'REDIS_URL']))
    const missing = variables.filter((name) => !new RegExp(`(^|[\\s'"])${name}=`, 'm').test(text))
    expect(missing).toEqual([])
  })

  it('run every npm script of package.json somewhere', () => {
    const { scripts } = JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }
    const missing = Object.keys(scripts).filter(
      (script) =>
        !new RegExp(`\\b${commandFor(script).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w:-])`).test(text),
    )
    expect(missing).toEqual([])
  })
})
