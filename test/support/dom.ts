/**
 * A happy-dom window's DOM for React tests that also run a gateway in the same process. Vitest's happy-dom
 * environment would replace Node's own AbortController, fetch and streams, which the gateway and the emulator
 * run on; here only what Node lacks (document, window, HTMLElement, …) is added, and removed afterwards.
 */
import { Window } from 'happy-dom'
import { afterAll, beforeAll } from 'vitest'

/** Registers the hooks; call it at the top of a test file, before anything renders. */
export function useDom(): void {
  const window = new Window({ url: 'http://127.0.0.1/' }) // the origin the React tests' gateways allow
  const added: string[] = []
  beforeAll(() => {
    for (const key of Object.getOwnPropertyNames(window)) {
      if (key in globalThis || key.startsWith('_')) continue
      Object.defineProperty(globalThis, key, {
        configurable: true,
        writable: true,
        value: (window as unknown as Record<string, unknown>)[key],
      })
      added.push(key)
    }
    Object.defineProperty(globalThis, 'window', { configurable: true, writable: true, value: window })
  })
  afterAll(async () => {
    for (const key of added) delete (globalThis as Record<string, unknown>)[key]
    await window.happyDOM.close()
  })
}
