import sharp from "sharp";
import { writeFileSync } from "node:fs";
import { createLocalImageProvider } from "/work/main/lib/images/local-provider.ts";
const p = createLocalImageProvider();
const photo = await sharp({ create: { width: 300, height: 400, channels: 3, background: { r: 200, g: 120, b: 80 } } })
  .composite([{ input: Buffer.from('<svg width="300" height="400"><circle cx="150" cy="150" r="80" fill="#333"/></svg>') }]).jpeg().toBuffer();
const s = AbortSignal.timeout(10000);
let t = Date.now();
const partner = await p.generate({ kind: "partner", gender: "female", partner: { name: "健太", temperament: "kind", appearance: "tall" }, userPhoto: { bytes: photo, contentType: "image/jpeg" } }, s);
console.log("partner", partner.length, Date.now() - t);
const partner2 = await p.generate({ kind: "partner", gender: "female", partner: { name: "健太", temperament: "kind", appearance: "tall" }, userPhoto: { bytes: photo, contentType: "image/jpeg" } }, s);
console.log("same", partner.equals(partner2));
t = Date.now();
const child = await p.generate({ kind: "child", child: { name: "さくら", gender: "female" }, userPhoto: { bytes: photo, contentType: "image/jpeg" }, partnerImage: { bytes: partner, contentType: "image/png" } }, s);
console.log("child", child.length, Date.now() - t);
writeFileSync("/tmp/imgtest/partner.png", partner); writeFileSync("/tmp/imgtest/child.png", child);
