import sharp from 'sharp';
import { DomainError } from '../../common/errors';

/** The largest upload read at all (refused while it streams); the stored picture is far smaller. */
export const PICTURE_MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
/** Edge of the stored square picture. */
export const PICTURE_EDGE = 512;
/** One MariaDB `blob` holds 64 KiB: the stored JPEG stays below this. */
export const PICTURE_MAX_STORED_BYTES = 60 * 1024;
/** Decompression bombs: a 5 MB PNG can claim billions of pixels. */
const MAX_INPUT_PIXELS = 40_000_000;

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);

export type PictureKind = 'png' | 'jpeg';

export const pictureErrors = {
  unsupported: () => new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Only PNG or JPEG pictures can be used.'),
  unreadable: () => new DomainError('UNSUPPORTED_MEDIA_TYPE', 'The picture could not be read as a PNG or JPEG image.'),
  tooLarge: () => new DomainError('PAYLOAD_TOO_LARGE', 'The picture is larger than 5 MB.'),
};

/** PNG or JPEG by the first bytes, never by name or declared type (an SVG or a script is neither). */
export function sniffPicture(bytes: Buffer): PictureKind | null {
  if (bytes.length >= PNG_MAGIC.length && bytes.subarray(0, PNG_MAGIC.length).equals(PNG_MAGIC)) return 'png';
  if (bytes.length >= JPEG_MAGIC.length && bytes.subarray(0, JPEG_MAGIC.length).equals(JPEG_MAGIC)) return 'jpeg';
  return null;
}

/**
 * The picture as Lotse stores it: decoded by sharp (the decoder must agree with the magic bytes),
 * turned upright by its EXIF orientation, cropped to a square of at most 512 px, flattened onto
 * white and encoded as a fresh baseline JPEG. Nothing of the upload survives but the pixels: no
 * EXIF, GPS, ICC comments or trailing bytes (a polyglot's script part is simply not re-encoded).
 */
export async function normalizePicture(bytes: Buffer): Promise<Buffer> {
  const kind = sniffPicture(bytes);
  if (!kind) throw pictureErrors.unsupported();
  let format: string | undefined;
  try {
    format = (await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' }).metadata()).format;
  } catch {
    throw pictureErrors.unreadable();
  }
  if (format !== kind) throw pictureErrors.unreadable();
  for (const quality of [82, 72, 62, 50]) {
    let out: Buffer;
    try {
      out = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
        .rotate()
        .resize(PICTURE_EDGE, PICTURE_EDGE, { fit: 'cover', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .toColourspace('srgb')
        .jpeg({ quality, mozjpeg: false })
        .toBuffer();
    } catch {
      throw pictureErrors.unreadable();
    }
    if (out.length <= PICTURE_MAX_STORED_BYTES) return out;
  }
  throw pictureErrors.unreadable();
}
