import type { ApiError, Locale, PersonalityTrait, ProfileField } from "./api.ts";

// Everything the page says, in Japanese and English. Error codes are the API's (docs/api.md) plus the
// client's own (network_error, upload_failed, unexpected_response); an unknown code falls back to `unknown`.

const ja = {
  title: "Hera — 未来の家族",
  subtitle: "インタビューに答えて、写真をアップロードし、パートナーと子どもの姿を生成します。",
  startTitle: "はじめる",
  startIntro: "言語を選んで、セッションを開始してください。",
  languageLegend: "言語 / Language",
  start: "セッションを開始",
  starting: "開始しています…",
  chatTitle: "インタビュー",
  messagePlaceholder: "答えを入力…",
  send: "送信",
  you: "あなた",
  interviewer: "インタビュアー",
  profileTitle: "プロフィール",
  profileProgress: "{done} / {total} 項目",
  profileComplete: "プロフィールが完成しました。写真をアップロードして画像を生成しましょう。",
  missing: "未入力",
  photoTitle: "あなたの写真",
  photoHint: "JPEG・PNG・WebP（10 MB まで）。写真はブラウザから直接ストレージに送られます。",
  photoChoose: "写真を選ぶ",
  photoNoFile: "写真が選ばれていません",
  upload: "アップロード",
  photoNone: "まだアップロードされていません。",
  photoChooseFirst: "先に写真を選んでください。",
  photoUploading: "アップロード中…",
  "photo.pending": "確認中…",
  "photo.ready": "写真の準備ができました。",
  "photo.rejected": "この写真は使えません：{reason}。別の写真を選んでください。",
  // Why a photo was rejected, by the API's reason code (PHOTO_REJECTIONS in lib/schemas/photos.ts).
  "photoReason.empty": "ファイルが空でした",
  "photoReason.too_large": "ファイルが大きすぎます",
  "photoReason.size_mismatch": "届いたファイルの大きさが、選んだ写真と違いました",
  "photoReason.type_mismatch": "ファイルの中身が、JPEG・PNG・WebP のうち名前どおりの形式の画像ではありません",
  "photoReason.content_type_mismatch": "アップロードされたファイルの種類が、申告した画像の形式と一致しません",
  "photoReason.too_many_pixels": "画像の画素数が多すぎます（縦×横で6400万画素まで）",
  "photoReason.not_decodable": "画像が壊れているか、読み取れませんでした",
  "photoReason.not_checked": "時間内に確認できませんでした（同じ写真をもう一度アップロードできます）",
  "photoReason.unknown": "確認できませんでした",
  photoWrongType: "JPEG・PNG・WebP の写真を選んでください（選んだファイルの形式：{type}）。",
  unknownType: "不明",
  imagesTitle: "生成された画像",
  "kind.partner": "パートナー",
  "kind.child": "子ども",
  generate: "生成する",
  regenerate: "もう一度生成",
  "image.none": "まだ生成していません。",
  "image.pending": "順番待ち…",
  "image.running": "生成中…",
  "image.ready": "完成しました。",
  "image.failed": "生成に失敗しました（{error}）。もう一度お試しください。",
  "image.paused": "現在、画像の生成を一時停止しています。時間をおいてからもう一度お試しください。",
  "image.refused":
    "画像AIが安全上の基準によりこの画像の生成を見送りました。実在の大人の写真から子どもの姿を作る依頼は、特に見送られやすいものです。同じ写真と内容のままでは結果は変わらない見込みです。別の写真を使うか、プロフィールの内容を見直してください。",
  "image.waiting": "状態の確認に時間がかかっています。",
  finishTitle: "仕上げ",
  finishHint: "完了すると結果が保存されます。削除するとサーバー上のすべてのデータが消去されます。",
  complete: "完了する",
  erase: "セッションを削除",
  eraseConfirm: "このセッションのデータ（会話・写真・画像・結果）をすべて削除しますか？",
  erased: "セッションを削除しました。サーバーにデータは残っていません。",
  resultTitle: "結果",
  completedAt: "完了日時",
  sessionLabel: "セッション",
  sessionStarted: "開始",
  messageEmpty: "メッセージを入力してください（空白だけでは送れません）。",
  "reason.needs": "先に必要なもの：{list}",
  "reason.interview": "インタビューを最後まで答えてください（残り：{list}）。",
  "reason.imagesRunning": "画像の生成が終わるまでお待ちください。",
  "field.age": "年齢",
  "field.gender": "性別",
  "field.relationshipStatus": "交際状況",
  "field.location": "居住地",
  "field.incomeRange": "年収",
  "field.personality": "性格",
  "field.partner": "パートナー",
  "field.children": "子ども",
  "field.contentType": "写真の形式",
  "field.contentLength": "写真のサイズ",
  ageValue: "{age} 歳",
  "gender.female": "女性",
  "gender.male": "男性",
  "gender.other": "その他",
  "relationship.single": "独身",
  "relationship.dating": "交際中",
  "relationship.married": "既婚",
  "relationship.other": "その他",
  "childGender.female": "女の子",
  "childGender.male": "男の子",
  "childGender.either": "どちらでも",
  "trait.openness": "開放性",
  "trait.conscientiousness": "誠実性",
  "trait.extraversion": "外向性",
  "trait.agreeableness": "協調性",
  "trait.neuroticism": "神経症傾向",
  "partner.name": "名前",
  "partner.temperament": "性格",
  "partner.appearance": "見た目",
  "need.photo": "あなたの写真",
  "need.partnerParts": "パートナーの{parts}",
  "need.images.partner": "パートナーの画像",
  "need.children": "子どもの情報",
  "error.invalid_request": "入力内容に誤りがあります。{fields}",
  "error.malformed_json": "リクエストの形式が正しくありません。",
  "error.unsupported_media_type": "リクエストの形式が正しくありません。",
  "error.payload_too_large": "送信内容が大きすぎます。",
  "error.missing_token": "セッションが開始されていません。最初からやり直してください。",
  "error.session_not_found": "セッションが見つかりません（期限切れか削除済みです）。最初からやり直してください。",
  "error.not_found": "見つかりませんでした。",
  "error.rate_limited": "リクエストが多すぎます。{seconds} 秒ほど待ってからもう一度お試しください。",
  "error.precondition_failed": "まだ生成できません。先に必要なもの：{missing}",
  "error.profile_incomplete": "プロフィールがまだ完成していません。インタビューを続けてください（残り：{fieldsMissing}）。",
  "error.session_completed": "このセッションは完了しているため、変更できません。",
  "error.session_busy": "別の処理と重なりました。もう一度お試しください。",
  "error.message_limit_reached": "このセッションで送れるメッセージの上限に達しました。",
  "error.picture_not_ready": "画像の準備がまだできていません。",
  "error.dependency_unavailable": "サービスが一時的に利用できません。しばらくしてからもう一度お試しください。",
  "error.client_image_limit": "この接続元からの画像の依頼が多すぎます。{seconds} 秒ほど待ってからもう一度お試しください。",
  "error.client_chat_limit": "この接続元からのメッセージが多すぎます。{seconds} 秒ほど待ってからもう一度お試しください。",
  "error.image_budget_exhausted": "本日分の画像生成の上限に達しました。明日（日本時間の午前9時以降）もう一度お試しください。",
  "error.chat_budget_exhausted": "本日分の会話の上限に達しました。明日（日本時間の午前9時以降）もう一度お試しください。",
  "error.images_paused": "現在、画像の生成を一時停止しています。時間をおいてからもう一度お試しください。",
  "error.internal_error": "サーバーでエラーが発生しました。しばらくしてからもう一度お試しください。",
  "error.network_error": "サーバーに接続できませんでした。ネットワークとローカルスタック（npm run dev）を確認してください。",
  "error.upload_failed": "写真をストレージに送れませんでした（{status}）。もう一度お試しください。",
  "error.unexpected_response": "サーバーから予期しない応答がありました（{status}）。",
  "error.unknown": "エラーが発生しました（{code}）。",
};

type Key = keyof typeof ja;

const en: Record<Key, string> = {
  title: "Hera — your future family",
  subtitle: "Answer the interview, upload a photo, and see your partner and child come to life.",
  startTitle: "Start",
  startIntro: "Choose a language and open a session.",
  languageLegend: "Language / 言語",
  start: "Start a session",
  starting: "Starting…",
  chatTitle: "Interview",
  messagePlaceholder: "Type your answer…",
  send: "Send",
  you: "You",
  interviewer: "Interviewer",
  profileTitle: "Profile",
  profileProgress: "{done} of {total} fields",
  profileComplete: "Your profile is complete. Upload a photo and generate the pictures.",
  missing: "missing",
  photoTitle: "Your photo",
  photoHint: "JPEG, PNG or WebP, up to 10 MB. It goes straight from your browser to storage.",
  photoChoose: "Choose a photo",
  photoNoFile: "No photo chosen",
  upload: "Upload",
  photoNone: "Nothing uploaded yet.",
  photoChooseFirst: "Choose a photo first.",
  photoUploading: "Uploading…",
  "photo.pending": "Checking…",
  "photo.ready": "Your photo is ready.",
  "photo.rejected": "This photo can't be used: {reason}. Please choose another one.",
  "photoReason.empty": "the file was empty",
  "photoReason.too_large": "the file is too large",
  "photoReason.size_mismatch": "the file that arrived was not the size of the photo you chose",
  "photoReason.type_mismatch": "its contents are not the JPEG, PNG or WebP image its name says",
  "photoReason.content_type_mismatch": "the file was stored as another type than the image format it was declared as",
  "photoReason.too_many_pixels": "the image has too many pixels (at most 64 million, width × height)",
  "photoReason.not_decodable": "the image is damaged or could not be read",
  "photoReason.not_checked": "it could not be checked in time (the same photo may be uploaded again)",
  "photoReason.unknown": "it could not be checked",
  photoWrongType: "Choose a JPEG, PNG or WebP photo (this file is {type}).",
  unknownType: "unknown",
  imagesTitle: "Generated pictures",
  "kind.partner": "Partner",
  "kind.child": "Child",
  generate: "Generate",
  regenerate: "Generate again",
  "image.none": "Not generated yet.",
  "image.pending": "Queued…",
  "image.running": "Generating…",
  "image.ready": "Ready.",
  "image.failed": "Generation failed ({error}). Please try again.",
  "image.paused": "Making pictures is paused for now. Please try again later.",
  "image.refused":
    "The image model declined to make this picture under its safety rules. " +
    "A picture of a child made from a photo of a real adult is the request most often declined. " +
    "With the same photo and details the answer will most likely be the same: " +
    "use a different photo, or change the details in the profile.",
  "image.waiting": "Checking the status is taking a while.",
  finishTitle: "Finish",
  finishHint: "Completing keeps the result. Erasing removes every piece of data of this session from the server.",
  complete: "Complete",
  erase: "Erase session",
  eraseConfirm: "Erase everything of this session (chat, photo, pictures, result)?",
  erased: "The session was erased. Nothing of it is left on the server.",
  resultTitle: "Result",
  completedAt: "Completed at",
  sessionLabel: "Session",
  sessionStarted: "started",
  messageEmpty: "Type a message first: only spaces can't be sent.",
  "reason.needs": "First needed: {list}.",
  "reason.interview": "Finish the interview first (still missing: {list}).",
  "reason.imagesRunning": "Wait until the pictures are ready.",
  "field.age": "Age",
  "field.gender": "Gender",
  "field.relationshipStatus": "Relationship",
  "field.location": "Location",
  "field.incomeRange": "Income",
  "field.personality": "Personality",
  "field.partner": "Partner",
  "field.children": "Children",
  "field.contentType": "photo type",
  "field.contentLength": "photo size",
  ageValue: "{age}",
  "gender.female": "Female",
  "gender.male": "Male",
  "gender.other": "Other",
  "relationship.single": "Single",
  "relationship.dating": "Dating",
  "relationship.married": "Married",
  "relationship.other": "Other",
  "childGender.female": "Girl",
  "childGender.male": "Boy",
  "childGender.either": "Either",
  "trait.openness": "Openness",
  "trait.conscientiousness": "Conscientiousness",
  "trait.extraversion": "Extraversion",
  "trait.agreeableness": "Agreeableness",
  "trait.neuroticism": "Neuroticism",
  "partner.name": "Name",
  "partner.temperament": "Temperament",
  "partner.appearance": "Appearance",
  "need.photo": "your photo",
  "need.partnerParts": "the partner's {parts}",
  "need.images.partner": "the partner picture",
  "need.children": "the children",
  "error.invalid_request": "Something you entered is not valid. {fields}",
  "error.malformed_json": "The request was malformed.",
  "error.unsupported_media_type": "The request was malformed.",
  "error.payload_too_large": "What you sent is too large.",
  "error.missing_token": "No session is open. Please start again.",
  "error.session_not_found": "This session no longer exists (it expired or was erased). Please start again.",
  "error.not_found": "Not found.",
  "error.rate_limited": "Too many requests. Please wait about {seconds} s and try again.",
  "error.precondition_failed": "This can't be generated yet. First needed: {missing}",
  "error.profile_incomplete": "Your profile isn't complete yet. Please keep answering the interview (still missing: {fieldsMissing}).",
  "error.session_completed": "This session is completed and can no longer change.",
  "error.session_busy": "Another request was changing the session. Please try again.",
  "error.message_limit_reached": "This session has reached its message limit.",
  "error.picture_not_ready": "The picture isn't ready yet.",
  "error.dependency_unavailable": "A service is temporarily unavailable. Please try again shortly.",
  "error.client_image_limit": "Too many pictures asked for from your connection. Please wait about {seconds} s and try again.",
  "error.client_chat_limit": "Too many messages from your connection. Please wait about {seconds} s and try again.",
  "error.image_budget_exhausted": "Today's pictures are all made. Please try again after midnight UTC.",
  "error.chat_budget_exhausted": "Today's conversations are used up. Please try again after midnight UTC.",
  "error.images_paused": "Making pictures is paused for now. Please try again later.",
  "error.internal_error": "Something went wrong on the server. Please try again shortly.",
  "error.network_error": "Could not reach the server. Check your network and that the local stack (npm run dev) is running.",
  "error.upload_failed": "The photo could not be sent to storage ({status}). Please try again.",
  "error.unexpected_response": "The server answered unexpectedly ({status}).",
  "error.unknown": "Something went wrong ({code}).",
};

export type MessageKey = Key;

const STRINGS: Record<Locale, Record<Key, string>> = { ja, en };

/** The string for `key` in `locale`, with `{name}` placeholders filled from `values`. */
export function t(locale: Locale, key: Key, values: Record<string, string | number> = {}): string {
  return STRINGS[locale][key].replace(/\{(\w+)\}/g, (match, name: string) => (name in values ? String(values[name]) : match));
}

/** Whether `key` names a string (used for codes that come from the server). */
function isKey(key: string): key is Key {
  return Object.hasOwn(ja, key);
}

/** A translated label for a dynamic key such as `gender.female`, or the raw value when there is none. */
export function label(locale: Locale, key: string, fallback: string): string {
  return isKey(key) ? t(locale, key) : fallback;
}

export function fieldLabel(locale: Locale, field: ProfileField | string): string {
  return label(locale, `field.${field}`, field);
}

/** Why a photo was rejected, in words, from the API's reason code (an unknown code reads as "could not be checked"). */
export function photoRejection(locale: Locale, reason: string | undefined): string {
  return t(locale, "photo.rejected", { reason: label(locale, `photoReason.${reason ?? "unknown"}`, t(locale, "photoReason.unknown")) });
}

export function traitLabel(locale: Locale, trait: PersonalityTrait): string {
  return t(locale, `trait.${trait}`);
}

/** What a person should read for an API error, in their language. */
export function errorMessage(locale: Locale, error: ApiError): string {
  const key = `error.${error.code}`;
  const details = isRecord(error.details) ? error.details : {};
  const seconds = error.retryAfterSeconds ?? (typeof details.retryAfterSeconds === "number" ? details.retryAfterSeconds : 5);
  const fields = Array.isArray(details.fields)
    ? details.fields.flatMap((issue) => (isRecord(issue) && typeof issue.field === "string" ? [fieldLabel(locale, issue.field)] : []))
    : [];
  const values = {
    seconds,
    missing: needsList(locale, stringList(details.missing)) || "—",
    fieldsMissing: missingFieldsList(locale, stringList(details.missingFields)) || "—",
    fields: fields.length > 0 ? `(${listOf(locale, fields)})` : "",
    status: error.status,
    code: error.code,
  };
  return isKey(key) ? t(locale, key, values).trim() : t(locale, "error.unknown", values);
}

/** The BCP 47 tag the page formats with: Japanese, or English as written in the US (month before day). */
export function localeTag(locale: Locale): string {
  return locale === "ja" ? "ja-JP" : "en-US";
}

/** Items joined as the language lists them ("a, b, and c"; 「a、b、c」). */
export function listOf(locale: Locale, items: readonly string[]): string {
  return new Intl.ListFormat(localeTag(locale), { style: "long", type: "conjunction" }).format(items);
}

/**
 * What a picture still needs (`photo`, `partner.name`, `images.partner`…), as a list in words; the partner's parts
 * are named once ("the partner's name and appearance"; 「パートナーの名前、見た目」).
 */
export function needsList(locale: Locale, names: readonly string[]): string {
  const parts = names.filter((name) => name.startsWith("partner.")).map((name) => name.slice("partner.".length));
  const partner =
    parts.length === 0
      ? []
      : [
          t(locale, "need.partnerParts", {
            parts: listOf(
              locale,
              parts.map((part) => label(locale, `partner.${part}`, part).toLowerCase()),
            ),
          }),
        ];
  const others = names.filter((name) => !name.startsWith("partner.")).map((name) => needLabel(locale, name));
  return listOf(locale, [...partner, ...others]);
}

/** The profile's missing fields as a list in words: in a sentence, English names them in lower case. */
export function missingFieldsList(locale: Locale, fields: readonly string[]): string {
  return listOf(
    locale,
    fields.map((field) => (locale === "en" ? fieldLabel(locale, field).toLowerCase() : fieldLabel(locale, field))),
  );
}

function needLabel(locale: Locale, name: string): string {
  if (isKey(`need.${name}`)) return label(locale, `need.${name}`, name);
  const [head, tail] = name.split(".");
  if (head === "partner" && tail) {
    const part = label(locale, `partner.${tail}`, tail);
    return locale === "ja" ? `${fieldLabel(locale, "partner")}（${part}）` : `${fieldLabel(locale, "partner")} (${part.toLowerCase()})`;
  }
  return fieldLabel(locale, name);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}
