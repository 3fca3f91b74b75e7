import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { Shutdown } from '../../server/shutdown.ts'
import { startDeadline } from '../../server/upstream/deadline.ts'

describe('startDeadline', () => {
  it('stops the call with a TimeoutError when the time is up, and says it was the time', async () => {
    const caller = new AbortController()
    const deadline = startDeadline(20, caller.signal)
    const reason = await new Promise((resolve) => deadline.onStop(resolve))
    expect((reason as DOMException).name).toBe('TimeoutError')
    expect(deadline.stopped).toBe(true)
    expect(deadline.timeout.aborted).toBe(true)
    expect(caller.signal.aborted).toBe(false)
    // The caller's signal lives on (a job's): the fired deadline leaves nothing on it.
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0)
  })

  it("follows the caller's abort with the caller's reason, which is not a timeout", () => {
    const caller = new AbortController()
    const deadline = startDeadline(60_000, caller.signal)
    const reasons: unknown[] = []
    deadline.onStop((reason) => reasons.push(reason))
    caller.abort(new Error('the job was cancelled'))
    expect(reasons.map((reason) => (reason as Error).message)).toEqual(['the job was cancelled'])
    expect(deadline.timeout.aborted).toBe(false)
    deadline.clear()
  })

  it('stops a call bound after the caller already left, at once', () => {
    const caller = new AbortController()
    caller.abort('gone')
    const deadline = startDeadline(60_000, caller.signal)
    const reasons: unknown[] = []
    deadline.onStop((reason) => reasons.push(reason))
    expect(reasons).toEqual(['gone'])
    expect(deadline.stopped).toBe(true)
  })

  it('destroys the request it stops with an AbortError whose cause is the reason', async () => {
    const destroyedWith: Error[] = []
    const deadline = startDeadline(20)
    await new Promise((resolve) =>
      deadline.destroys({ destroy: (error: Error) => resolve(destroyedWith.push(error)) }),
    )
    expect(destroyedWith).toHaveLength(1)
    expect(destroyedWith[0]).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' })
    expect((destroyedWith[0]?.cause as DOMException | undefined)?.name).toBe('TimeoutError')
  })

  it('leaves nothing on the caller once cleared, however many calls it made, and stops nothing after', () => {
    const caller = new AbortController()
    for (let i = 0; i < 1000; i++) startDeadline(60_000, caller.signal).clear()
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0)
    const open = startDeadline(60_000, caller.signal)
    const reasons: unknown[] = []
    open.onStop((reason) => reasons.push(reason))
    open.clear()
    open.clear()
    caller.abort('late')
    expect(reasons).toEqual([])
    expect(open.stopped).toBe(false)
  })
})

describe('Shutdown.whenGraceOver', () => {
  it('calls each waiter still registered once, with the SHUTTING_DOWN reason, and a late one at once', () => {
    const shutdown = new Shutdown()
    const reasons: unknown[] = []
    shutdown.whenGraceOver((reason) => reasons.push(reason))
    const release = shutdown.whenGraceOver(() => reasons.push('released, never called'))
    release()
    shutdown.endGrace()
    shutdown.endGrace()
    expect(reasons).toHaveLength(1)
    expect(reasons[0]).toMatchObject({ code: 'SHUTTING_DOWN' })
    shutdown.whenGraceOver((reason) => reasons.push(reason))
    expect(reasons).toHaveLength(2)
    expect(shutdown.graceOver.aborted).toBe(true)
  })
})
