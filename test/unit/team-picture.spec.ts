import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { normalizePicture, PICTURE_MAX_STORED_BYTES, sniffPicture } from '../../src/modules/team/picture';

describe('team pictures', () => {
  it('should recognise PNG and JPEG by their first bytes only', () => {
    expect(sniffPicture(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('png');
    expect(sniffPicture(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(sniffPicture(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffPicture(Buffer.from('GIF89a'))).toBeNull();
    expect(sniffPicture(Buffer.from([0xff, 0xd8]))).toBeNull();
    expect(sniffPicture(Buffer.alloc(0))).toBeNull();
  });

  it('should turn a photo upright by its EXIF orientation and drop the orientation tag', async () => {
    // 300 × 100 stored, orientation 6 (rotate 90° clockwise to view): upright it is 100 × 300
    const sideways = await sharp({ create: { width: 300, height: 100, channels: 3, background: '#c33' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const out = await sharp(await normalizePicture(sideways)).metadata();
    expect([out.width, out.height, out.orientation, out.exif]).toEqual([100, 300, undefined, undefined]);
  });

  it('should keep even a noisy large photo within one database blob', async () => {
    const edge = 1200;
    const noise = await sharp(randomBytes(edge * edge * 3), { raw: { width: edge, height: edge, channels: 3 } })
      .jpeg({ quality: 95 })
      .toBuffer();
    const out = await normalizePicture(noise);
    expect(out.length).toBeLessThanOrEqual(PICTURE_MAX_STORED_BYTES);
    expect(await sharp(out).metadata()).toMatchObject({ format: 'jpeg', width: 512, height: 512 });
  });

  it('should refuse bytes that start like a JPEG but do not decode, and a PNG signature in front of a JPEG', async () => {
    await expect(normalizePicture(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('<script>alert(1)</script>')]))).rejects.toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .jpeg()
      .toBuffer();
    await expect(normalizePicture(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), jpeg]))).rejects.toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
  });
});
