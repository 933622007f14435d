import { describe, expect, it } from "vitest";
import type { Session } from "../../lib/sessions/model.ts";
import { pictureUrls } from "../../lib/sessions/urls.ts";
import { objectKeys } from "../../lib/storage/objects.ts";
import { MemoryObjectStore } from "../fakes/memory-object-store.ts";

const id = "AAAAAAAAAAAAAAAAAAAAAA";

function session(overrides: Partial<Session>): Session {
  return {
    id,
    tokenHash: "h",
    status: "collecting",
    locale: "en",
    createdAt: "t",
    updatedAt: "t",
    expiresAt: "t",
    profile: {},
    userMessageCount: 0,
    photo: null,
    images: { partner: null, child: null },
    messages: [],
    version: 1,
    ...overrides,
  };
}

describe("pictureUrls", () => {
  it("signs every ready picture to be served as its confirmed type, inline", async () => {
    // Prepare
    const objects = new MemoryObjectStore();
    const photoKey = objectKeys.checkedPhoto(id, "u");
    const ready = session({
      photo: { status: "ready", contentType: "image/jpeg", key: photoKey, requestedAt: "t" },
      images: {
        partner: { status: "ready", jobId: "j1", key: objectKeys.image(id, "partner"), inputsHash: "x", requestedAt: "t" },
        child: { status: "pending", jobId: "j2", inputsHash: "y", requestedAt: "t" },
      },
    });
    // Act
    const urls = await pictureUrls(objects, ready, 600);
    // Assess
    expect(Object.keys(urls).sort()).toEqual(["partner", "photo"]);
    expect(objects.presignedDownloads).toEqual(
      expect.arrayContaining([
        { key: photoKey, expiresInSeconds: 600, contentType: "image/jpeg" },
        { key: objectKeys.image(id, "partner"), expiresInSeconds: 600, contentType: "image/png" },
      ]),
    );
    expect(urls.photo).toContain("response-content-type=image%2Fjpeg");
    expect(urls.photo).toContain("response-content-disposition=inline");
  });

  it("signs nothing for a ready photo whose key is an upload's (made ready before checked copies were kept)", async () => {
    const objects = new MemoryObjectStore();
    const legacy = session({ photo: { status: "ready", contentType: "image/png", key: objectKeys.userPhoto(id, "u"), requestedAt: "t" } });
    expect(await pictureUrls(objects, legacy, 600)).toEqual({});
    expect(objects.presignedDownloads).toEqual([]);
  });

  it("signs nothing for a photo that is not ready", async () => {
    const objects = new MemoryObjectStore();
    const pending = session({
      photo: {
        status: "rejected",
        contentType: "image/png",
        key: objectKeys.userPhoto(id, "u"),
        requestedAt: "t",
        reason: "type_mismatch",
      },
    });
    expect(await pictureUrls(objects, pending, 600)).toEqual({});
    expect(objects.presignedDownloads).toEqual([]);
  });
});
