import sharp from 'sharp';

/** A photo-like JPEG: smooth random colour (so it compresses like a photo), at the given quality. */
export async function photoJpeg(
  width: number,
  height: number,
  quality: number,
  withGps = false,
): Promise<Buffer> {
  const small = Buffer.alloc(64 * 48 * 3);
  for (let i = 0; i < small.length; i += 1) small[i] = Math.floor(Math.random() * 256);
  let image = sharp(small, { raw: { width: 64, height: 48, channels: 3 } }).resize(width, height, {
    kernel: 'cubic',
  });
  if (withGps) {
    image = image.withExif({
      IFD0: { Make: 'TestCam', Model: 'T1' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '41/1 0/1 0/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '28/1 58/1 0/1',
      },
    });
  }
  return image.jpeg({ quality }).toBuffer();
}

export async function smallPng(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 170, b: 90 } } })
    .png()
    .toBuffer();
}
