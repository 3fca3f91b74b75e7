import { describe, expect, it } from 'vitest'
import { classifyStatus, parseJobState, parseStatusAnswer } from '../../server/upstream/status.ts'

/** An era-2 status element with all nine keys, as the upstream sends it. */
const element = (overrides: Record<string, unknown> = {}) => ({
  job_id: 'job-a',
  status: 'pending',
  result: '',
  worker_name: 'akash-worker-7',
  worker_city: 'Berlin',
  worker_country: 'DE',
  worker_gpu: 'RTX4090',
  elapsed_time: 3.5,
  queue_position: 0,
  ...overrides,
})

describe('upstream status', () => {
  describe('classifyStatus', () => {
    it.each([
      ['waiting', 'waiting'],
      ['queued', 'waiting'],
      ['pending', 'running'],
      ['processing', 'running'],
      ['running', 'running'],
      ['in_progress', 'running'],
      ['succeeded', 'succeeded'],
      ['completed', 'succeeded'],
      ['failed', 'failed'],
      ['error', 'failed'],
      ['cancelled', 'failed'],
      ['canceled', 'failed'],
      ['timeout', 'failed'],
    ])('reads "%s" as %s', (word, phase) => {
      expect(classifyStatus(word)).toBe(phase)
    })

    it.each([
      ['SUCCEEDED', 'succeeded'],
      ['Completed', 'succeeded'],
      ['In_Progress', 'running'],
      ['  Waiting ', 'waiting'],
      ['CANCELED', 'failed'],
    ])('ignores case and surrounding spaces ("%s" is %s)', (word, phase) => {
      expect(classifyStatus(word)).toBe(phase)
    })

    it.each(['', 'done', 'success', 'in progress', 'constructor', '__proto__', 'hasOwnProperty'])(
      'reads a word it has never seen (%j) as unknown',
      (word) => {
        expect(classifyStatus(word)).toBe('unknown')
      },
    )
  })

  describe('parseJobState', () => {
    it('reads an era-2 running element in full', () => {
      expect(parseJobState(element())).toEqual({
        jobId: 'job-a',
        phase: 'running',
        rawStatus: 'pending',
        result: '',
        worker: { name: 'akash-worker-7', city: 'Berlin', country: 'DE', gpu: 'RTX4090' },
        elapsedS: 3.5,
        queuePosition: 0,
      })
    })

    it('keeps the queue position of a waiting job', () => {
      const state = parseJobState(
        element({
          status: 'waiting',
          queue_position: 4,
          worker_name: '',
          worker_city: '',
          worker_country: '',
          worker_gpu: '',
        }),
      )
      expect(state).toMatchObject({ phase: 'waiting', queuePosition: 4, worker: null })
    })

    it('reads era-1 "pending" with a positive queue position as waiting', () => {
      expect(parseJobState(element({ queue_position: 2 }))).toMatchObject({
        phase: 'waiting',
        rawStatus: 'pending',
        queuePosition: 2,
      })
    })

    it('reports no queue position once a job is past waiting', () => {
      expect(parseJobState(element({ status: 'succeeded', queue_position: 3 }))).toMatchObject({
        phase: 'succeeded',
        queuePosition: 0,
      })
    })

    it('keeps the result of a finished job', () => {
      expect(parseJobState(element({ status: 'succeeded', result: '/api/image/job_1.webp' }))?.result).toBe(
        '/api/image/job_1.webp',
      )
      expect(parseJobState(element({ status: 'failed', result: 'CUDA out of memory' }))).toMatchObject({
        phase: 'failed',
        result: 'CUDA out of memory',
      })
    })

    describe('worker', () => {
      it('is null when all four worker fields are empty', () => {
        const state = parseJobState(
          element({ worker_name: '', worker_city: '', worker_country: '', worker_gpu: '' }),
        )
        expect(state?.worker).toBeNull()
      })

      it('is null when the worker fields are missing', () => {
        expect(parseJobState({ job_id: 'job-a', status: 'waiting' })?.worker).toBeNull()
      })

      it('is reported when any one field is filled', () => {
        const state = parseJobState(
          element({ worker_name: '', worker_city: '', worker_country: '', worker_gpu: 'A100' }),
        )
        expect(state?.worker).toEqual({ name: '', city: '', country: '', gpu: 'A100' })
      })
    })

    describe('numbers', () => {
      it.each([
        ['a number', 12.25, 12.25],
        ['a numeric string', '12.25', 12.25],
        ['missing', undefined, 0],
        ['negative', -4, 0],
        ['not a number', 'soon', 0],
        ['null', null, 0],
        ['infinite', Number.POSITIVE_INFINITY, 0],
      ])('reads elapsed time that is %s', (_, elapsed, expected) => {
        expect(parseJobState(element({ elapsed_time: elapsed }))?.elapsedS).toBe(expected)
      })

      it.each([
        ['a number', 3, 3],
        ['a numeric string', '3', 3],
        ['a fraction', 2.7, 2],
        ['missing', undefined, 0],
        ['negative', -1, 0],
        ['garbage', 'first', 0],
      ])('reads a queue position that is %s', (_, position, expected) => {
        expect(parseJobState(element({ status: 'waiting', queue_position: position }))?.queuePosition).toBe(
          expected,
        )
      })
    })

    describe('the job id', () => {
      it('falls back to `id`, then to the id the caller supplies', () => {
        expect(parseJobState({ id: 'job-b', status: 'pending' })?.jobId).toBe('job-b')
        expect(parseJobState({ status: 'pending' }, 'job-c')?.jobId).toBe('job-c')
        expect(parseJobState({ job_id: 'job-a', status: 'pending' }, 'job-c')?.jobId).toBe('job-a')
      })

      it('is required', () => {
        expect(parseJobState({ status: 'pending' })).toBeUndefined()
        expect(parseJobState({ job_id: '', status: 'pending' })).toBeUndefined()
      })
    })

    it.each([
      ['null', null],
      ['a string', 'pending'],
      ['an array', [element()]],
      ['a number', 1],
    ])('refuses an element that is %s', (_, raw) => {
      expect(parseJobState(raw)).toBeUndefined()
    })
  })

  describe('parseStatusAnswer', () => {
    it('reads the documented array shape', () => {
      const answer = parseStatusAnswer([element()])
      expect(answer?.shape).toBe('array')
      expect([...(answer?.jobs.keys() ?? [])]).toEqual(['job-a'])
      expect(answer?.jobs.get('job-a')?.phase).toBe('running')
    })

    it('matches array elements by job_id, not by position', () => {
      const answer = parseStatusAnswer([
        element({ job_id: 'job-c', status: 'failed', result: 'boom' }),
        element({ job_id: 'job-a', status: 'succeeded', result: '/api/image/a.webp' }),
        element({ job_id: 'job-b', status: 'waiting', queue_position: 5 }),
      ])
      expect(answer?.jobs.size).toBe(3)
      expect(answer?.jobs.get('job-a')).toMatchObject({ phase: 'succeeded', result: '/api/image/a.webp' })
      expect(answer?.jobs.get('job-b')).toMatchObject({ phase: 'waiting', queuePosition: 5 })
      expect(answer?.jobs.get('job-c')).toMatchObject({ phase: 'failed', result: 'boom' })
    })

    it('leaves out ids the upstream did not mention, and skips unreadable elements', () => {
      const answer = parseStatusAnswer([element({ job_id: 'job-b' }), null, 'junk', { status: 'pending' }])
      expect(answer?.shape).toBe('array')
      expect([...(answer?.jobs.keys() ?? [])]).toEqual(['job-b'])
      expect(answer?.jobs.has('job-a')).toBe(false)
    })

    it('reads an empty array as an answer about no jobs', () => {
      const answer = parseStatusAnswer([])
      expect(answer?.shape).toBe('array')
      expect(answer?.jobs.size).toBe(0)
    })

    it('reads an object keyed by job id', () => {
      const { job_id: _, ...withoutId } = element({ status: 'completed' })
      const answer = parseStatusAnswer({ 'job-a': withoutId, 'job-b': element({ job_id: 'job-b' }) })
      expect(answer?.shape).toBe('keyed')
      expect(answer?.jobs.get('job-a')).toMatchObject({ jobId: 'job-a', phase: 'succeeded' })
      expect(answer?.jobs.get('job-b')).toMatchObject({ jobId: 'job-b', phase: 'running' })
    })

    it('reads {statuses: [...]}', () => {
      const answer = parseStatusAnswer({ statuses: [element({ job_id: 'job-x', status: 'error' })] })
      expect(answer?.shape).toBe('statuses')
      expect(answer?.jobs.get('job-x')?.phase).toBe('failed')
    })

    it('reads a bare status object', () => {
      const answer = parseStatusAnswer(element({ status: 'waiting', queue_position: 1 }))
      expect(answer?.shape).toBe('bare')
      expect(answer?.jobs.get('job-a')).toMatchObject({ phase: 'waiting', queuePosition: 1 })
    })

    it('reads the old "Job not found: <id>" string as an answer with no jobs', () => {
      const answer = parseStatusAnswer(JSON.parse('"Job not found: 0b7c1f6e-9a51-4c3e-8f7a-2d9e1c4b5a60"'))
      expect(answer?.shape).toBe('not-found-string')
      expect(answer?.jobs.size).toBe(0)
    })

    it.each([
      ['null', null],
      ['a number', 42],
      ['true', true],
      ['an unrelated string', 'Internal Server Error'],
      ['an empty object', {}],
      ['an object of junk', { hello: 'world', n: 1 }],
      ['a bare object without an id', { status: 'pending' }],
      ['statuses that is not a list', { statuses: 'none' }],
    ])('gives up on %s', (_, body) => {
      expect(parseStatusAnswer(body)).toBeUndefined()
    })
  })
})
