import type { ImageFailureCode } from "../schemas/images.ts";
import type { Locale } from "../schemas/sessions.ts";

// What a person should read about a failed picture, in the session's language, beside the stable code. A refusal
// says that asking again the same way will most likely be declined again, rather than inviting a blind retry.
const MESSAGES: Record<ImageFailureCode, Record<Locale, string>> = {
  provider_refused: {
    ja: "画像AIが安全上の基準によりこの画像の生成を見送りました。実在の大人の写真から子どもの姿を作る依頼は、特に見送られやすいものです。同じ写真と内容のままでは結果は変わらない見込みです。別の写真を使うか、プロフィールの内容を見直してください。",
    en:
      "The image model declined to make this picture under its safety rules. " +
      "A picture of a child made from a photo of a real adult is the request most often declined. " +
      "With the same photo and details the answer will most likely be the same: " +
      "use a different photo, or change the details in the profile.",
  },
  provider_rate_limited: {
    ja: "画像AIが混み合っています。数分おいてからもう一度お試しください。",
    en: "The image service is busy. Please wait a few minutes and try again.",
  },
  provider_unavailable: {
    ja: "画像AIが一時的に利用できません。しばらくしてからもう一度お試しください。",
    en: "The image service is temporarily unavailable. Please try again in a little while.",
  },
  generation_timeout: {
    ja: "画像の生成が時間内に終わりませんでした。しばらくしてからもう一度お試しください。",
    en: "The picture was not finished in time. Please try again in a little while.",
  },
  provider_rejected_request: {
    ja: "画像AIがリクエストを受け付けませんでした。サービス側の問題のため、解決するまでは再度お試しいただいても同じ結果になります。",
    en:
      "The image service did not accept the request. " +
      "This is a problem on our side: until it is fixed, trying again gives the same result.",
  },
  model_unavailable: {
    ja: "現在、画像を生成できません（サービス側の設定の更新が必要です）。",
    en: "Pictures cannot be made right now (the service's configuration needs an update).",
  },
  provider_bad_response: {
    ja: "画像AIから使える画像が届きませんでした。もう一度お試しください。",
    en: "The image service did not send a usable picture. Please try again.",
  },
  inputs_missing: {
    ja: "画像の元になる写真またはプロフィールの項目が見つかりません。写真とプロフィールを確認してください。",
    en: "A photo or profile detail this picture needs is missing. Please check the photo and the profile.",
  },
  input_not_decodable: {
    ja: "画像の元になる写真を読み取れませんでした。写真をもう一度アップロードしてから、もう一度お試しください。",
    en: "A picture this one is made from could not be read. Please upload the photo again, then try again.",
  },
  storage_unavailable: {
    ja: "画像を保存できませんでした。もう一度お試しください。",
    en: "The picture could not be stored. Please try again.",
  },
  dispatch_failed: {
    ja: "生成を開始できませんでした。もう一度お試しください。",
    en: "Generation could not be started. Please try again.",
  },
  images_paused: {
    ja: "現在、画像の生成を一時停止しています。時間をおいてからもう一度お試しください。",
    en: "Making pictures is paused for now. Please try again later.",
  },
  internal_error: {
    ja: "サーバーでエラーが発生しました。しばらくしてからもう一度お試しください。",
    en: "Something went wrong on the server. Please try again in a little while.",
  },
};

/** The words for a failed picture's code in the session's language; undefined for a code this build does not know. */
export function imageFailureMessage(code: string, locale: Locale): string | undefined {
  return Object.hasOwn(MESSAGES, code) ? MESSAGES[code as ImageFailureCode][locale] : undefined;
}
