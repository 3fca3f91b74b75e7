// bench/perf-split.ts's reading of `perf script`: a sample's kind of work and the part of the gateway it served.
import { describe, expect, it } from 'vitest'
import { kindOf, parsePerfScript, partOf } from '../../bench/perf-samples.ts'

// Two samples as `perf script -F tid,ip,sym,dso` prints them: a main-thread inline-cache miss inside an upstream
// call made by the poller's tick, and a TurboFan compile on a V8 worker thread.
const SCRIPT = ` 7677 
\t          dc5b64 v8::internal::Runtime_LoadIC_Miss (/usr/bin/node)
\t    7f3ccf17a99d JS:*ClientRequest node:_http_client:134:23 (/tmp/perf-7677.map)
\t    7f3ccf0a0e26 JS:^send file:///srv/dist/server.mjs:68:55588 (/tmp/perf-7677.map)
\t    7f3ccf0a0e27 JS:*tick file:///srv/dist/server.mjs:68:58483 (/tmp/perf-7677.map)

 7680 
\t          fbc2aa v8::internal::compiler::GraphReducer::ReduceTop (/usr/bin/node)
\t          fbc2ab start_thread (/usr/lib/x86_64-linux-gnu/libc.so.6)
`

/** Stands in for the bundle's source maps: the two bundle positions above. */
const sources: Record<string, string> = {
  'JS:^send file:///srv/dist/server.mjs:68:55588': '../server/polling/status-request.ts',
  'JS:*tick file:///srv/dist/server.mjs:68:58483': '../server/polling/status-poller.ts',
  'JS:*ClientRequest node:_http_client:134:23': 'node:_http_client',
}

describe('perf samples', () => {
  it('parses each sample with its thread and its stack, leaf first', () => {
    const samples = parsePerfScript(SCRIPT)
    expect(samples.map((sample) => [sample.tid, sample.frames.length])).toEqual([
      ['7677', 4],
      ['7680', 2],
    ])
    expect(samples[0]?.frames[1]).toEqual({
      sym: 'JS:*ClientRequest node:_http_client:134:23',
      dso: '/tmp/perf-7677.map',
    })
  })

  it('names the kind of work of the leaf frame', () => {
    const [miss, compile] = parsePerfScript(SCRIPT)
    expect(kindOf(miss?.frames[0] as never)).toBe('property lookups (inline-cache misses)')
    expect(kindOf(compile?.frames[0] as never)).toBe('compiler (TurboFan)')
    expect(kindOf({ sym: 'JS:*emit node:events:471:44', dso: '/tmp/perf-1.map' })).toBe('optimised JS')
    expect(kindOf({ sym: 'finish_task_switch', dso: '[kernel.kallsyms]' })).toBe(
      'kernel (syscalls, task switches)',
    )
  })

  it('gives a sample to the innermost part that claims it: an upstream call made by the poller is an upstream call', () => {
    const [miss] = parsePerfScript(SCRIPT)
    expect(partOf(miss as never, (sym) => sources[sym])).toBe('upstream calls (status included)')
    const pollerOnly = { tid: '1', frames: (miss?.frames ?? []).slice(2) }
    expect(partOf(pollerOnly, (sym) => sources[sym])).toBe('the poller (choosing what to ask)')
    const native = { tid: '1', frames: [{ sym: 'uv__io_poll', dso: '/usr/bin/node' }] }
    expect(partOf(native, () => undefined)).toBe('outside JS (GC, libuv, kernel)')
  })
})
