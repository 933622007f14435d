import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { inflateRawSync } from "node:zlib";

/** One file of a zip archive, as its central directory lists it. */
export interface ZipEntry {
  name: string;
  /** Bytes once unpacked. */
  size: number;
  /** Bytes in the archive. */
  compressedSize: number;
  /** 0 stored, 8 deflated. */
  method: number;
  /** Where the entry's local header starts. */
  offset: number;
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
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const local = zip.readUInt32LE(offset + 42);
    entries.push({ name: zip.toString("utf8", offset + 46, offset + 46 + nameLength), size, compressedSize, method, offset: local });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The file names in a zip archive. */
export function zipEntryNames(path: string): string[] {
  return zipEntries(path).map((entry) => entry.name);
}

/** The unpacked bytes of one entry. */
function entryBytes(zip: Buffer, entry: ZipEntry): Buffer {
  const LOCAL_FILE_HEADER = 0x04034b50;
  if (zip.readUInt32LE(entry.offset) !== LOCAL_FILE_HEADER) throw new Error(`${entry.name}: bad local header`);
  const start = entry.offset + 30 + zip.readUInt16LE(entry.offset + 26) + zip.readUInt16LE(entry.offset + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return Buffer.from(data);
  if (entry.method === 8) return inflateRawSync(data);
  throw new Error(`${entry.name}: compression method ${entry.method} is not supported`);
}

/** The unpacked bytes of the entry of that name. */
export function readZipEntry(path: string, name: string): Buffer {
  const entry = zipEntries(path).find((candidate) => candidate.name === name);
  if (!entry) throw new Error(`${path} has no ${name}`);
  return entryBytes(readFileSync(path), entry);
}

/** Unpacks a whole archive into a directory, as Lambda does with a function's package. */
export function extractZip(path: string, directory: string): void {
  const zip = readFileSync(path);
  for (const entry of zipEntries(path)) {
    if (entry.name.endsWith("/")) continue;
    const target = join(directory, entry.name);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, entryBytes(zip, entry));
  }
}
