import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../server/errors.ts'
import { Admission } from '../../server/jobs/admission.ts'
import { thrown } from '../support/thrown.ts'

/** An admission whose queued jobs record, in `started`, the order they were given a slot. */
function setup(maxConcurrent: number, maxQueue: number) {
  const admission = new Admission(maxConcurrent, maxQueue)
  const started: string[] = []
  const admit = (id: string, retryAfterS = 5) => admission.admit(id, () => started.push(id), retryAfterS)
  return { admission, started, admit }
}

describe('Admission', () => {
  describe('free slots', () => {
    it('starts jobs at once while slots are free', () => {
      const { admission, started, admit } = setup(2, 5)
      expect(admit('a')).toBe('started')
      expect(admit('b')).toBe('started')
      expect(admission.inUse).toBe(2)
      expect(admission.queued).toBe(0)
      expect(started).toEqual([])
    })

    it('queues a job once every slot is taken', () => {
      const { admission, admit } = setup(1, 5)
      admit('a')
      expect(admit('b')).toBe('queued')
      expect(admission.inUse).toBe(1)
      expect(admission.queued).toBe(1)
    })
  })

  describe('the queue', () => {
    it('hands released slots to waiting jobs in arrival order', () => {
      const { admission, started, admit } = setup(1, 5)
      admit('a')
      for (const id of ['b', 'c', 'd']) admit(id)
      admission.release()
      expect(started).toEqual(['b'])
      admission.release()
      admission.release()
      expect(started).toEqual(['b', 'c', 'd'])
      expect(admission.inUse).toBe(1)
      expect(admission.queued).toBe(0)
    })

    it('reports each waiting job its 1-based place, and 0 for any other', () => {
      const { admission, admit } = setup(1, 5)
      admit('a')
      admit('b')
      admit('c')
      expect(admission.position('b')).toBe(1)
      expect(admission.position('c')).toBe(2)
      expect(admission.position('a')).toBe(0)
      expect(admission.position('nope')).toBe(0)
      expect(admission.waitingIds()).toEqual(['b', 'c'])
    })

    it('moves everyone up when the head starts', () => {
      const { admission, admit } = setup(1, 5)
      admit('a')
      admit('b')
      admit('c')
      admission.release()
      expect(admission.position('b')).toBe(0)
      expect(admission.position('c')).toBe(1)
    })
  })

  describe('a full queue', () => {
    it('refuses with QUEUE_FULL and the retry hint when slots and queue are full', () => {
      const { admission, admit } = setup(2, 1)
      admit('a')
      admit('b')
      admit('c')
      const error = thrown(() => admit('d', 42))
      expect(error.code).toBe('QUEUE_FULL')
      expect(error.status).toBe(429)
      expect(error.retryable).toBe(true)
      expect(error.retryAfterS).toBe(42)
      expect(error.details).toEqual({ maxConcurrent: 2, maxQueue: 1 })
      expect(admission.queued).toBe(1)
      expect(admission.position('d')).toBe(0)
    })

    it('refuses at once when there is no queue and the slots are full', () => {
      const { admission, admit } = setup(1, 0)
      expect(admit('a')).toBe('started')
      expect(thrown(() => admit('b')).code).toBe('QUEUE_FULL')
      expect(admission.queued).toBe(0)
    })

    it('admits again once a place frees up', () => {
      const { admission, admit } = setup(1, 1)
      admit('a')
      admit('b')
      expect(() => admit('c')).toThrow(GatewayError)
      admission.release()
      expect(admit('c')).toBe('queued')
    })
  })

  describe('withdraw', () => {
    it('takes a waiting job out so it never starts', () => {
      const { admission, started, admit } = setup(1, 5)
      admit('a')
      admit('b')
      admit('c')
      expect(admission.withdraw('b')).toBe(true)
      expect(admission.position('c')).toBe(1)
      admission.release()
      expect(started).toEqual(['c'])
    })

    it('is false for a job that is not waiting', () => {
      const { admission, admit } = setup(1, 5)
      admit('a')
      expect(admission.withdraw('a')).toBe(false)
      expect(admission.withdraw('ghost')).toBe(false)
      expect(admission.inUse).toBe(1)
    })

    it('frees a queue place', () => {
      const { admission, admit } = setup(1, 1)
      admit('a')
      admit('b')
      admission.withdraw('b')
      expect(admit('c')).toBe('queued')
    })
  })

  describe('slots in use', () => {
    it('returns to 0 after every job is released', () => {
      const { admission, started, admit } = setup(2, 5)
      for (const id of ['a', 'b', 'c', 'd', 'e']) admit(id)
      for (let i = 0; i < 5; i++) admission.release()
      expect(started).toEqual(['c', 'd', 'e'])
      expect(admission.inUse).toBe(0)
      expect(admission.queued).toBe(0)
    })

    it('never goes below 0', () => {
      const { admission, admit } = setup(2, 5)
      admission.release()
      expect(admission.inUse).toBe(0)
      admit('a')
      admission.release()
      admission.release()
      expect(admission.inUse).toBe(0)
      expect(admit('b')).toBe('started')
      expect(admit('c')).toBe('started')
      expect(admit('d')).toBe('queued')
    })
  })
})
