// The size budgets, per function: the function's own minified `.mjs` (as `sls package --stage prod` ships it; those
// of the functions that only hand out links, signed without the S3 client, are their size with ~10% headroom), and the
// whole unpacked package of a function that ships neither sharp nor @google/genai. Sizes are deterministic, so
// test/integration/packages.test.ts asserts them on the packaged zips; the benchmark shows them beside its builds.

const KB = 1024;

/** The largest main bundle each function may have, in bytes. */
export const BUNDLE_BUDGETS: Readonly<Record<string, number>> = {
  createSession: 280 * KB,
  // The local interviewer's phrase tables (names introduced by a phrase, degree words, several children, in two
  // languages) are ~26 KB of it: 290 KB when they were added.
  postMessage: 330 * KB,
  openapi: 200 * KB,
  routeNotFound: 200 * KB,
  getSession: 260 * KB,
  getPhoto: 260 * KB,
  photoUploaded: 500 * KB,
  imageWorker: 520 * KB,
  completeSession: 580 * KB,
  getResult: 330 * KB,
  deleteSession: 580 * KB,
  health: 570 * KB,
  requestPhotoUpload: 580 * KB,
  requestImage: 500 * KB,
};

/** The largest unpacked package of a function without sharp or @google/genai, in bytes. */
export const PLAIN_PACKAGE_BUDGET = 1.5 * 1024 * KB;
