// Scenario (f) of `npm run bench`: the shipped bundle's idle RSS and time to ready, beside a bare Fastify server.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Footprint, measureFootprint } from './footprint.ts'

/** Issue 13's targets for the bundle (`npm start`), memory mode. */
const TARGETS = { idleRssMiB: 70, readyMs: 400 }
const BUNDLE = fileURLToPath(new URL('../dist/server.mjs', import.meta.url))

/** One measured server of scenario (f). */
interface FootprintRow extends Footprint {
  server: string
}

/** Measures the bundle and bare Fastify on the Node.js binary `node` (`runs` fresh processes each; medians). */
export async function measureFootprintRows(runs: number, node = 'node'): Promise<FootprintRow[]> {
  if (!existsSync(BUNDLE)) throw new Error('scenario (f) measures dist/server.mjs: run `npm run build` first')
  const servers = [
    { server: 'akashgen (node dist/server.mjs)', serverCommand: [node, 'dist/server.mjs'] },
    { server: 'bare Fastify', serverCommand: [node, 'bench/bare-fastify.mjs'] },
  ]
  const rows: FootprintRow[] = []
  for (const { server, serverCommand } of servers) {
    process.stderr.write(`bench: (f) footprint on ${server} ... `)
    rows.push({ server, ...(await measureFootprint({ serverCommand, runs })) })
    process.stderr.write('done\n')
  }
  return rows
}

/** The rows as a small table; the bundle's figures are marked against the targets. */
export function formatFootprint(rows: FootprintRow[], runs: number): string {
  const mark = (ok: boolean) => (ok ? ' ✓' : ' ✗')
  const lines = rows.map((row, index) => {
    const rss = `${row.idleRssMiB.toFixed(1)}${index === 0 ? mark(row.idleRssMiB <= TARGETS.idleRssMiB) : ''}`
    const ready = `${row.readyMs.toFixed(0)}${index === 0 ? mark(row.readyMs <= TARGETS.readyMs) : ''}`
    return `f  ${row.server.padEnd(32)}${rss.padStart(14)}${ready.padStart(12)}${row.readyCpuMs.toFixed(0).padStart(17)}`
  })
  return [
    `footprint (median of ${runs}, memory mode)  idle RSS MiB  ready ms  CPU ms to ready`,
    ...lines,
    `  (f) targets for the bundle: idle RSS after one request <= ${TARGETS.idleRssMiB} MiB, ready <= ${TARGETS.readyMs} ms`,
  ].join('\n')
}
