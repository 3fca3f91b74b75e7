/**
 * A happy-dom window's DOM for React tests that also run a gateway in the same process. Vitest's happy-dom
 * environment would replace Node's own AbortController, fetch and streams, which the gateway and the emulator
 * run on; here only what Node lacks (document, window, HTMLElement, …) is added, and removed afterwards.
 */
import { Window } from 'happy-dom'
import { afterAll, beforeAll } from 'vitest'

/** Registers the hooks; call it at the top of a test file, before anything renders. `origin` is the page's. */
export function useDom(origin: string): void {
  let window: Window | undefined
  const added: string[] = []
  beforeAll(() => {
    window = new Window({ url: `${origin}/` })
    const properties = window as unknown as Record<string, unknown>
    for (const key of ['window', ...Object.getOwnPropertyNames(window)]) {
      if (key in globalThis || key.startsWith('_')) continue
      Object.defineProperty(globalThis, key, { configurable: true, writable: true, value: properties[key] })
      added.push(key)
    }
  })
  afterAll(async () => {
    for (const key of added.splice(0)) delete (globalThis as Record<string, unknown>)[key]
    await window?.happyDOM.close()
  })
}
