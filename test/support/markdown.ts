/** Reading our Markdown as GitHub renders it: headings' anchors, relative links and ```sh blocks. */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The repository's root folder. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** A relative link found in a Markdown file: its target path (may be empty: this file) and `#anchor`. */
export interface MarkdownLink {
  target: string
  path: string
  anchor: string | undefined
  line: number
}

/** The lines of `markdown` that are outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): { text: string; line: number }[] {
  const lines: { text: string; line: number }[] = []
  let fenced = false
  markdown.split('\n').forEach((text, index) => {
    if (/^\s*```/.test(text)) fenced = !fenced
    else if (!fenced) lines.push({ text, line: index + 1 })
  })
  return lines
}

/**
 * GitHub's anchor for a heading: its text as rendered (code spans and links reduced to their text), lowercased,
 * every character but letters, digits, `-`, `_` and spaces dropped, spaces turned into `-`.
 */
export function githubSlug(heading: string): string {
  const rendered = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .replace(/\*\*?|~~/g, '')
  return rendered
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}_ -]/gu, '')
    .replace(/ /g, '-')
}

/** Every heading anchor of a Markdown text, repeats numbered `-1`, `-2`... as GitHub does. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  for (const { text } of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text)
    if (!heading) continue
    const slug = githubSlug(heading[1] ?? '')
    const count = seen.get(slug) ?? 0
    seen.set(slug, count + 1)
    anchors.add(count === 0 ? slug : `${slug}-${count}`)
  }
  return anchors
}

/** Every `[text](target)` link of a Markdown text that is relative (no scheme), outside code. */
export function relativeLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = []
  for (const { text, line } of proseLines(markdown)) {
    const prose = text.replace(/`[^`]*`/g, '``')
    for (const match of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1] ?? ''
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue
      const [path = '', anchor] = target.split('#', 2)
      links.push({ target, path, anchor, line })
    }
  }
  return links
}

/** The Markdown files the repository documents itself with: README.md, docs/*.md and bench/*.md. */
export function documentationFiles(): string[] {
  const inFolder = (folder: string) =>
    existsSync(`${REPO_ROOT}${folder}`)
      ? readdirSync(`${REPO_ROOT}${folder}`)
          .filter((name) => name.endsWith('.md'))
          .map((name) => `${folder}/${name}`)
      : []
  return ['README.md', ...inFolder('docs'), ...inFolder('bench')].toSorted()
}

/** A file of the repository, by its path from the root. */
export function readRepoFile(path: string): string {
  return readFileSync(`${REPO_ROOT}${path}`, 'utf8')
}

/** The bodies of every ```sh block of a Markdown text, backslash-newline continuations joined. */
export function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) =>
    (match[1] ?? '').replace(/\\\n\s*/g, ''),
  )
}
