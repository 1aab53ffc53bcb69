import QRCode from 'qrcode';

/** A real QR code (PNG) of `text`, as WeCom serves for its "contact me" and join ways. */
export function fakeQrPng(text: string): Promise<Buffer> {
  return QRCode.toBuffer(text, { type: 'png', width: 240 });
}
