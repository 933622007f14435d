import { readFileSync } from "node:fs";

/** One file of a zip archive, as its central directory lists it. */
export interface ZipEntry {
  name: string;
  /** Bytes once unpacked. */
  size: number;
  /** Bytes in the archive. */
  compressedSize: number;
}

/** The files of a zip archive, read from its central directory (enough for Lambda packages: no zip64). */
export function zipEntries(path: string): ZipEntry[] {
  const zip = readFileSync(path);
  const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
  const CENTRAL_FILE_HEADER = 0x02014b50;
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== END_OF_CENTRAL_DIRECTORY) end--;
  if (end < 0) throw new Error(`${path} is not a zip archive`);
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let index = 0; index < count; index++) {
    if (zip.readUInt32LE(offset) !== CENTRAL_FILE_HEADER) throw new Error(`${path}: bad central directory entry ${index}`);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    entries.push({ name: zip.toString("utf8", offset + 46, offset + 46 + nameLength), size, compressedSize });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The file names in a zip archive. */
export function zipEntryNames(path: string): string[] {
  return zipEntries(path).map((entry) => entry.name);
}
