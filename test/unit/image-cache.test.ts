import { describe, expect, it } from 'vitest'
import { ImageCache } from '../../server/jobs/image-cache.ts'

const image = (bytes: number) => ({ bytes: new Uint8Array(bytes), contentType: 'image/webp' })

describe('ImageCache', () => {
  it('never holds more than its byte cap, evicting the oldest first, and skips an image larger than the cap', () => {
    const cache = new ImageCache(100)
    cache.put('a', image(40), Number.POSITIVE_INFINITY)
    cache.put('b', image(40), Number.POSITIVE_INFINITY)
    cache.put('c', image(40), Number.POSITIVE_INFINITY)
    expect(cache.get('a')).toBeUndefined()
    expect(cache.get('b')?.bytes.byteLength).toBe(40)
    expect(cache.bytes).toBe(80)
    cache.put('huge', image(101), Number.POSITIVE_INFINITY)
    expect(cache.get('huge')).toBeUndefined()
    expect(cache.bytes).toBe(80)
  })

  it('drops an image once its job leaves retention, and keeps the others', () => {
    const cache = new ImageCache(1000)
    cache.put('expired', image(10), 1000)
    cache.put('kept', image(10), 5000)
    expect(cache.sweep(999)).toBe(0)
    expect(cache.sweep(1000)).toBe(1)
    expect(cache.get('expired')).toBeUndefined()
    expect(cache.get('kept')).toBeDefined()
    expect(cache.bytes).toBe(10)
  })
})
