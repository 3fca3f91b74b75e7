import { describe, expect, it } from 'vitest'
import { MAX_PREFER_WAIT_S, preferredWaitS, wantsJobView } from '../../server/http/preferences.ts'

describe('preferredWaitS (Prefer header)', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['wait=10', 10],
    ['wait=0', 0],
    ['respond-async, wait=5', 5],
    ['return=minimal; wait="7"', 7],
    ['respond-async', 0],
    ['handling=lenient', undefined],
    ['wait=abc', undefined],
    ['wait=999999', MAX_PREFER_WAIT_S],
  ])('%j -> %j', (header, seconds) => {
    expect(preferredWaitS(header)).toBe(seconds)
  })
})

describe('wantsJobView (Accept header)', () => {
  it.each([
    [undefined, false],
    ['*/*', false],
    ['image/webp', false],
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['application/json, image/*', false],
    ['application/json, */*;q=0.1', false],
    ['text/html', false],
  ])('%j -> %j', (header, json) => {
    expect(wantsJobView(header)).toBe(json)
  })
})
