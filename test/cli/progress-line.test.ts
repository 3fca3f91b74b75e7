/** What the progress line shows for each state of a job, and how it is drawn on a terminal and elsewhere. */

import type { Job } from '@akashgen/contract'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  createProgressReporter,
  describeProgress,
  liveLine,
  type ProgressStream,
} from '../../client/cli/progress-line.ts'

const base: Job = {
  jobId: '3f1c2a9e-0000-4000-8000-000000000000',
  status: 'queued',
  queuePosition: 3,
  worker: null,
  elapsedMs: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
}
const worker = { name: 'akash-worker-3', city: 'Berlin', country: 'DE', gpu: 'RTX4090' }

/** A stream that keeps what was written, as a terminal (or not). */
function recordingStream(isTTY: boolean): ProgressStream & { text: () => string } {
  const chunks: string[] = []
  return { isTTY, columns: 80, write: (chunk: string) => chunks.push(chunk), text: () => chunks.join('') }
}

describe('describeProgress', () => {
  it('before the job is accepted: submitting and the seconds so far', () => {
    expect(describeProgress(undefined, 250)).toBe('submitting · 0.3s')
  })

  it('queued: the place in line, no worker yet', () => {
    expect(describeProgress(base, 1200)).toBe('queued · place 3 in line · 1.2s')
  })

  it('running: the worker GPU and where it is', () => {
    const job: Job = { ...base, status: 'running', queuePosition: 0, worker }
    expect(describeProgress(job, 4000)).toBe('running · RTX4090 in Berlin, DE · 4.0s')
  })

  it('a worker the upstream said little about: its name, no place', () => {
    const job: Job = { ...base, status: 'running', worker: { name: 'w7', city: '', country: '', gpu: '' } }
    expect(describeProgress(job, 0)).toBe('running · w7 · 0.0s')
  })

  it('failed: the error code', () => {
    const job: Job = { ...base, status: 'failed', worker, error: { code: 'JOB_FAILED', message: 'oom' } }
    expect(describeProgress(job, 9050)).toBe('failed · RTX4090 in Berlin, DE · JOB_FAILED · 9.1s')
  })
})

describe('liveLine', () => {
  it('returns to the start of the line and erases it before the text', () => {
    expect(liveLine('queued · place 3 in line · 1.2s', 80)).toBe('\r\x1b[2Kqueued · place 3 in line · 1.2s')
  })

  it('cuts the text to the terminal width, so it never wraps', () => {
    expect(liveLine('x'.repeat(30), 20)).toBe(`\r\x1b[2K${'x'.repeat(19)}`)
  })
})

describe('createProgressReporter', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('on a terminal, rewrites one line per event and as time passes, ending it with a newline', () => {
    const stream = recordingStream(true)
    let now = 0
    const reporter = createProgressReporter(stream, () => now)
    now = 500
    reporter.onStatus(base)
    now = 1500
    vi.advanceTimersByTime(200)
    reporter.onStatus({ ...base, status: 'running', queuePosition: 0, worker })
    reporter.stop()

    expect(stream.text()).toBe(
      [
        '\r\x1b[2Ksubmitting · 0.0s',
        '\r\x1b[2Kqueued · place 3 in line · 0.5s',
        '\r\x1b[2Kqueued · place 3 in line · 1.5s',
        '\r\x1b[2Krunning · RTX4090 in Berlin, DE · 1.5s',
        '\r\x1b[2Krunning · RTX4090 in Berlin, DE · 1.5s\n',
      ].join(''),
    )
  })

  it('stops redrawing once stopped', () => {
    const stream = recordingStream(true)
    const reporter = createProgressReporter(stream, () => 0)
    reporter.stop()
    const written = stream.text()
    vi.advanceTimersByTime(1000)
    reporter.stop()
    expect(stream.text()).toBe(written)
  })

  it('elsewhere, writes the job id once, then one plain line per event and nothing between', () => {
    const stream = recordingStream(false)
    let now = 0
    const reporter = createProgressReporter(stream, () => now)
    now = 100
    reporter.onStatus(base)
    vi.advanceTimersByTime(1000)
    now = 2000
    reporter.onStatus({ ...base, status: 'running', queuePosition: 0, worker })
    reporter.stop()

    expect(stream.text()).toBe(
      [
        `akashgen: job ${base.jobId}`,
        'akashgen: queued · place 3 in line · 0.1s',
        'akashgen: running · RTX4090 in Berlin, DE · 2.0s',
        '',
      ].join('\n'),
    )
  })
})
