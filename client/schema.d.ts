export interface paths {
    "/api/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Open a session; the answer carries its token (shown once) and the interviewer's first question. */
        post: operations["createSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/sessions/{sessionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The whole session view: profile, messages, photo and pictures with short-lived URLs. */
        get: operations["getSession"];
        put?: never;
        post?: never;
        /** Erase everything of the session: Redis, S3 objects and the archived result. */
        delete: operations["deleteSession"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/sessions/{sessionId}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send one user message; the interviewer answers and fills the profile. */
        post: operations["postMessage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/sessions/{sessionId}/photos/user": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A presigned POST form for the user's photo (type and exact size pinned); the browser posts it to S3. */
        post: operations["requestPhotoUpload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/sessions/{sessionId}/photos/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A short-lived URL of the user photo or a generated picture. */
        get: operations["getPhoto"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/sessions/{sessionId}/images": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Generate the partner or child picture, asynchronously. */
        post: operations["requestImage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/sessions/{sessionId}/complete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Finish the session and archive its result (the same answer on repeat). */
        post: operations["completeSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/sessions/{sessionId}/result": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The archived result, also after the live session expired. */
        get: operations["getResult"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness of Redis, S3 and DynamoDB. */
        get: operations["health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document. */
        get: operations["openapi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description The body of createSession. */
        CreateSessionRequest: {
            /**
             * @default ja
             * @enum {string}
             */
            locale?: "ja" | "en";
        };
        /** @description The body of postMessage. */
        PostMessageRequest: {
            /** @description 1–2000 Unicode characters, at least one of them visible; no control characters but newline and tab. */
            text: string;
        };
        /** @description The body of requestPhotoUpload. */
        RequestPhotoUploadRequest: {
            /** @enum {string} */
            contentType: "image/jpeg" | "image/png" | "image/webp";
            contentLength: number;
        };
        /** @description The body of requestImage. */
        RequestImageRequest: {
            /** @enum {string} */
            kind: "partner" | "child";
        };
        /**
         * Format: date-time
         * @description An ISO-8601 UTC timestamp, e.g. `2026-01-31T09:30:00.000Z`.
         */
        Timestamp: string;
        /**
         * Format: uri
         * @description A presigned S3 URL, valid for minutes; usable directly in `<img src>`.
         */
        PresignedUrl: string;
        /**
         * @description The language of the session: its questions and the parsing of its answers.
         * @enum {string}
         */
        Locale: "ja" | "en";
        /**
         * @description `collecting` until completed; a completed session takes no more changes.
         * @enum {string}
         */
        SessionStatus: "collecting" | "completed";
        /**
         * @description A top-level profile field, in the stable order of `missingFields`.
         * @enum {string}
         */
        ProfileField: "age" | "gender" | "relationshipStatus" | "location" | "incomeRange" | "personality" | "partner" | "children";
        /**
         * @description A generated picture: the partner, or the child (made from the user photo and the partner).
         * @enum {string}
         */
        ImageKind: "partner" | "child";
        /** @description Big Five scores from 0 to 1; answered once at least two are set. */
        Personality: {
            openness?: number;
            conscientiousness?: number;
            extraversion?: number;
            agreeableness?: number;
            neuroticism?: number;
        };
        /** @description The current partner (dating, married) or the ideal one. */
        Partner: {
            name?: string;
            temperament?: string;
            appearance?: string;
        };
        /** @description A wished child; `desiredGender: either` is a complete answer. */
        Child: {
            name: string;
            /** @enum {string} */
            desiredGender?: "female" | "male" | "either";
        };
        /** @description The interview profile so far; every field is optional until filled. */
        Profile: {
            age?: number;
            /** @enum {string} */
            gender?: "female" | "male" | "other";
            /** @enum {string} */
            relationshipStatus?: "single" | "dating" | "married" | "other";
            location?: string;
            incomeRange?: string;
            personality?: components["schemas"]["Personality"];
            partner?: components["schemas"]["Partner"];
            children?: components["schemas"]["Child"][];
        };
        /** @description One line of the interview. */
        ChatMessage: {
            /** @enum {string} */
            role: "user" | "assistant";
            text: string;
            at: components["schemas"]["Timestamp"];
        };
        /** @description The user photo: `url` when ready, `reason` when rejected. */
        PhotoView: {
            /** @enum {string} */
            status: "pending" | "ready" | "rejected";
            /** @description The declared type (image/jpeg, image/png or image/webp) while pending or rejected; image/jpeg once ready: the checked copy, the photo served. */
            contentType: string;
            /** @description Bytes: as declared while pending, as uploaded when rejected, of the checked copy once ready. */
            size?: number;
            url?: components["schemas"]["PresignedUrl"];
            /**
             * @description Why the photo was refused (docs/api.md, The user photo).
             * @enum {string}
             */
            reason?: "empty" | "too_large" | "size_mismatch" | "content_type_mismatch" | "type_mismatch" | "too_many_pixels" | "not_decodable" | "not_checked";
        };
        /** @description A generated picture: `url` when ready, `error` (a code) when failed. */
        ImageView: {
            /** @enum {string} */
            status: "pending" | "running" | "ready" | "failed";
            jobId: string;
            url?: components["schemas"]["PresignedUrl"];
            /** @description Why the job failed: generation_timeout, provider_unavailable, provider_rate_limited, provider_rejected_request, model_unavailable, provider_bad_response, provider_refused, inputs_missing, input_not_decodable, storage_unavailable, dispatch_failed, images_paused, internal_error. */
            error?: string;
            /** @description What a person should read about `error`, in the session's language (a refusal says so in words). */
            message?: string;
        };
        /** @description A new session, its bearer token (shown once) and the first question. */
        CreatedSession: {
            sessionId: string;
            /** @description The bearer token of every later call; shown only here, stored only as a hash. */
            sessionToken: string;
            /** @constant */
            status: "collecting";
            createdAt: components["schemas"]["Timestamp"];
            expiresAt: components["schemas"]["Timestamp"];
            reply: string;
        };
        /** @description The whole session, with presigned URLs of the pictures that are ready. */
        SessionView: {
            sessionId: string;
            status: components["schemas"]["SessionStatus"];
            locale: components["schemas"]["Locale"];
            createdAt: components["schemas"]["Timestamp"];
            updatedAt: components["schemas"]["Timestamp"];
            expiresAt: components["schemas"]["Timestamp"];
            profile: components["schemas"]["Profile"];
            missingFields: components["schemas"]["ProfileField"][];
            profileComplete: boolean;
            messages: components["schemas"]["ChatMessage"][];
            photo: components["schemas"]["PhotoView"] | null;
            images: {
                partner: components["schemas"]["ImageView"] | null;
                child: components["schemas"]["ImageView"] | null;
            };
            completedAt?: components["schemas"]["Timestamp"];
        };
        /** @description The interviewer's answer and the profile after the message. */
        MessageReply: {
            reply: string;
            /** @description The fields this message filled in. */
            extracted: components["schemas"]["ProfileField"][];
            profile: components["schemas"]["Profile"];
            missingFields: components["schemas"]["ProfileField"][];
            profileComplete: boolean;
            status: components["schemas"]["SessionStatus"];
        };
        /** @description A presigned S3 POST: send `fields`, then `file`, as multipart/form-data. */
        PhotoUploadForm: {
            /** @constant */
            method: "POST";
            url: components["schemas"]["PresignedUrl"];
            fields: {
                [key: string]: string;
            };
            expiresAt: components["schemas"]["Timestamp"];
        };
        /** @description The upload form, and the photo, pending until it is checked. */
        PhotoUploadGrant: {
            upload: components["schemas"]["PhotoUploadForm"];
            photo: {
                /** @constant */
                status: "pending";
            };
        };
        /** @description A short-lived URL of a picture. */
        PictureLink: {
            url: components["schemas"]["PresignedUrl"];
            expiresAt: components["schemas"]["Timestamp"];
            contentType: string;
        };
        /** @description A generation under way. */
        ImageJob: {
            kind: components["schemas"]["ImageKind"];
            /** @enum {string} */
            status: "pending" | "running";
            jobId: string;
        };
        /** @description A picture made from the session's current inputs. */
        ReadyImage: {
            kind: components["schemas"]["ImageKind"];
            /** @constant */
            status: "ready";
            jobId: string;
            url: components["schemas"]["PresignedUrl"];
        };
        /** @description A job under way; poll the session until its image is ready or failed. */
        ImageJobResponse: {
            image: components["schemas"]["ImageJob"];
        };
        /** @description The picture, already made from the same inputs. */
        ReadyImageResponse: {
            image: components["schemas"]["ReadyImage"];
        };
        /** @description A picture of the result, by presigned URL. */
        ResultPicture: {
            url: components["schemas"]["PresignedUrl"];
        };
        /** @description What a completed session keeps: the profile and the pictures that exist. */
        Result: {
            profile: components["schemas"]["Profile"];
            photo: components["schemas"]["ResultPicture"] | null;
            images: {
                partner: components["schemas"]["ResultPicture"] | null;
                child: components["schemas"]["ResultPicture"] | null;
            };
        };
        /** @description The completed session; the same `completedAt` on every repeat. */
        CompletedSession: {
            /** @constant */
            status: "completed";
            completedAt: components["schemas"]["Timestamp"];
            /** @description When the result and its pictures stop being served (404 from then on): `RETENTION_DAYS` after completion. */
            expiresAt: components["schemas"]["Timestamp"];
            result: components["schemas"]["Result"];
        };
        /** @description The archived result, also after the live session expired. */
        ArchivedResult: {
            sessionId: string;
            completedAt: components["schemas"]["Timestamp"];
            /** @description When the result and its pictures stop being served (404 from then on): `RETENTION_DAYS` after completion. */
            expiresAt: components["schemas"]["Timestamp"];
            result: components["schemas"]["Result"];
        };
        /**
         * @description Whether a dependency answered in time.
         * @enum {string}
         */
        CheckStatus: "ok" | "unavailable";
        /** @description One dependency's readiness check. */
        HealthCheck: {
            status: components["schemas"]["CheckStatus"];
            latencyMs: number;
        };
        /** @description The readiness of Redis, S3 and DynamoDB (`checks.redis`, `checks.s3`, `checks.dynamodb`). */
        HealthReport: {
            status: components["schemas"]["CheckStatus"];
            checks: {
                [key: string]: components["schemas"]["HealthCheck"];
            };
        };
        /** @description An OpenAPI 3.1 document. */
        OpenApiDocument: {
            openapi: string;
            info: {
                title: string;
                version: string;
            } & {
                [key: string]: unknown;
            };
            paths: {
                [key: string]: unknown;
            };
        } & {
            [key: string]: unknown;
        };
        /** @description A field that failed validation (dotted path; `body` for the whole body). */
        FieldIssue: {
            field: string;
            message: string;
        };
        /** @description `chat_budget_exhausted`: the stage answered its `CHAT_TURNS_PER_DAY` messages this UTC day; `Retry-After` is the time to the next day. */
        ChatBudgetError: {
            error: {
                /** @enum {string} */
                code: "chat_budget_exhausted";
                /** @description For people (English); the code is what a program reads. */
                message: string;
                details: {
                    retryAfterSeconds: number;
                };
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `client_chat_limit`: this client address sent `CHAT_TURNS_PER_CLIENT_PER_HOUR` messages this hour, across all its sessions. */
        ClientChatLimitError: {
            error: {
                /** @enum {string} */
                code: "client_chat_limit";
                /** @description For people (English); the code is what a program reads. */
                message: string;
                details: {
                    limit: number;
                    retryAfterSeconds: number;
                };
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `client_image_limit`: this client address asked for `IMAGE_JOBS_PER_CLIENT_PER_HOUR` new pictures this hour, across all its sessions. */
        ClientImageLimitError: {
            error: {
                /** @enum {string} */
                code: "client_image_limit";
                /** @description For people (English); the code is what a program reads. */
                message: string;
                details: {
                    limit: number;
                    retryAfterSeconds: number;
                };
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `dependency_unavailable`: Redis, S3, DynamoDB, SSM, the rate limiter, the chat provider or the image worker did not answer within seconds. */
        DependencyUnavailableError: {
            error: {
                /** @enum {string} */
                code: "dependency_unavailable";
                /** @description For people (English); the code is what a program reads. */
                message: string;
                details: {
                    dependency: string;
                };
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `idempotency_key_in_use`: the first request with the same `Idempotency-Key` is still running. */
        IdempotencyKeyInUseError: {
            error: {
                /** @enum {string} */
                code: "idempotency_key_in_use";
                /** @description For people (English); the code is what a program reads. */
                message: string;
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `idempotency_key_reused`: the `Idempotency-Key` was used before for a different request (another body or another route). */
        IdempotencyKeyReusedError: {
            error: {
                /** @enum {string} */
                code: "idempotency_key_reused";
                /** @description For people (English); the code is what a program reads. */
                message: string;
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `image_budget_exhausted`: the stage started its `IMAGE_JOBS_PER_DAY` new pictures this UTC day; `Retry-After` is the time to the next day. */
        ImageBudgetError: {
            error: {
                /** @enum {string} */
                code: "image_budget_exhausted";
                /** @description For people (English); the code is what a program reads. */
                message: string;
                details: {
                    retryAfterSeconds: number;
                };
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `images_paused`: the operator switched picture generation off; a job that was queued fails with `error: "images_paused"`. */
        ImagesPausedError: {
            error: {
                /** @enum {string} */
                code: "images_paused";
                /** @description For people (English); the code is what a program reads. */
                message: string;
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `images_pending`: completion while a picture is pending or running. */
        ImagesPendingError: {
            error: {
                /** @enum {string} */
                code: "images_pending";
                /** @description For people (English); the code is what a program reads. */
                message: string;
                details: {
                    images: components["schemas"]["ImageKind"][];
                };
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `internal_error`: a bug, or a deployment mistake such as a missing secret. */
        InternalError: {
            error: {
                /** @enum {string} */
                code: "internal_error";
                /** @description For people (English); the code is what a program reads. */
                message: string;
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `invalid_idempotency_key`: the `Idempotency-Key` header is not 16–255 visible ASCII characters. */
        InvalidIdempotencyKeyError: {
            error: {
                /** @enum {string} */
                code: "invalid_idempotency_key";
                /** @description For people (English); the code is what a program reads. */
                message: string;
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `invalid_request`: the body failed validation (a field missing, unknown, out of range), or a body was sent to a route that takes none. */
        InvalidRequestError: {
            error: {
                /** @enum {string} */
                code: "invalid_request";
                /** @description For people (English); the code is what a program reads. */
                message: string;
                details: {
                    fields: components["schemas"]["FieldIssue"][];
                };
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `malformed_json`: the body is not JSON, is not valid UTF-8 (or holds a raw U+FFFD, see Bodies above), names a key twice in one object at any depth, or holds a `__proto__` / `constructor` / `prototype` key. */
        MalformedJsonError: {
            error: {
                /** @enum {string} */
                code: "malformed_json";
                /** @description For people (English); the code is what a program reads. */
                message: string;
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `message_limit_reached`: the session took `MAX_USER_MESSAGES` user messages. */
        MessageLimitError: {
            error: {
                /** @enum {string} */
                code: "message_limit_reached";
                /** @description For people (English); the code is what a program reads. */
                message: string;
                details: {
                    limit: number;
                };
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `missing_token`: no `Authorization: Bearer` header, or one whose token is malformed (the message says which; e.g. `<sessionToken>` copied literally). */
        MissingTokenError: {
            error: {
                /** @enum {string} */
                code: "missing_token";
                /** @description For people (English); the code is what a program reads. */
                message: string;
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `payload_too_large`: the body is over 16 KiB. */
        PayloadTooLargeError: {
            error: {
                /** @enum {string} */
                code: "payload_too_large";
                /** @description For people (English); the code is what a program reads. */
                message: string;
                details: {
                    limitBytes: number;
                };
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `not_found`: a picture name other than `user`, `partner`, `child`. `picture_not_ready`: the picture does not exist or is not ready yet. */
        PictureNotFoundError: {
            error: {
                /** @enum {string} */
                code: "not_found" | "picture_not_ready";
                /** @description For people (English); the code is what a program reads. */
                message: string;
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `precondition_failed`: the picture's inputs are not there yet (see [Pictures](#generated-pictures)). */
        PreconditionFailedError: {
            error: {
                /** @enum {string} */
                code: "precondition_failed";
                /** @description For people (English); the code is what a program reads. */
                message: string;
                details: {
                    missing: string[];
                };
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `profile_incomplete`: completion before the profile is complete. */
        ProfileIncompleteError: {
            error: {
                /** @enum {string} */
                code: "profile_incomplete";
                /** @description For people (English); the code is what a program reads. */
                message: string;
                details: {
                    missingFields: components["schemas"]["ProfileField"][];
                };
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `rate_limited`: too many calls (see [Limits](#limits)). */
        RateLimitedError: {
            error: {
                /** @enum {string} */
                code: "rate_limited";
                /** @description For people (English); the code is what a program reads. */
                message: string;
                details: {
                    retryAfterSeconds: number;
                };
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `session_busy`: another request changed the session at the same moment, again and again. */
        SessionBusyError: {
            error: {
                /** @enum {string} */
                code: "session_busy";
                /** @description For people (English); the code is what a program reads. */
                message: string;
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `session_completed`: the session is completed: no more messages, photos or pictures. */
        SessionCompletedError: {
            error: {
                /** @enum {string} */
                code: "session_completed";
                /** @description For people (English); the code is what a program reads. */
                message: string;
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `session_not_found`: unknown session, wrong token, or an erased or expired one. */
        SessionNotFoundError: {
            error: {
                /** @enum {string} */
                code: "session_not_found";
                /** @description For people (English); the code is what a program reads. */
                message: string;
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
        /** @description `unsupported_media_type`: a body (or a required one) not sent as `application/json`. */
        UnsupportedMediaTypeError: {
            error: {
                /** @enum {string} */
                code: "unsupported_media_type";
                /** @description For people (English); the code is what a program reads. */
                message: string;
            };
            /** @description The Lambda request id, to find the request in the logs. */
            requestId: string;
        };
    };
    responses: never;
    parameters: {
        /** @description The `sessionId` returned by createSession. */
        SessionId: string;
        /** @description Which picture. */
        PictureName: "user" | "partner" | "child";
        /** @description A new unique key (a UUID) per request, the same on its retries: a repeat within 24 hours gets the first answer (status and body) without running again. Also accepted as a Structured Fields string (`"…"`). */
        IdempotencyKey: string;
    };
    requestBodies: never;
    headers: {
        /** @description Seconds to wait before trying again. */
        RetryAfter: number;
        /** @description The scheme to authenticate with. */
        WWWAuthenticate: "Bearer";
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    createSession: {
        parameters: {
            query?: never;
            header?: {
                /** @description A new unique key (a UUID) per request, the same on its retries: a repeat within 24 hours gets the first answer (status and body) without running again. Also accepted as a Structured Fields string (`"…"`). */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["CreateSessionRequest"];
            };
        };
        responses: {
            /** @description The new session. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedSession"];
                };
            };
            /** @description `invalid_request`: the body failed validation (a field missing, unknown, out of range), or a body was sent to a route that takes none. `malformed_json`: the body is not JSON, is not valid UTF-8 (or holds a raw U+FFFD, see Bodies above), names a key twice in one object at any depth, or holds a `__proto__` / `constructor` / `prototype` key. `invalid_idempotency_key`: the `Idempotency-Key` header is not 16–255 visible ASCII characters. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvalidRequestError"] | components["schemas"]["MalformedJsonError"] | components["schemas"]["InvalidIdempotencyKeyError"];
                };
            };
            /** @description `idempotency_key_in_use`: the first request with the same `Idempotency-Key` is still running. */
            409: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IdempotencyKeyInUseError"];
                };
            };
            /** @description `payload_too_large`: the body is over 16 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PayloadTooLargeError"];
                };
            };
            /** @description `unsupported_media_type`: a body (or a required one) not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UnsupportedMediaTypeError"];
                };
            };
            /** @description `idempotency_key_reused`: the `Idempotency-Key` was used before for a different request (another body or another route). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IdempotencyKeyReusedError"];
                };
            };
            /** @description `rate_limited`: Too many new sessions from this address. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RateLimitedError"];
                };
            };
            /** @description `internal_error`: a bug, or a deployment mistake such as a missing secret. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InternalError"];
                };
            };
            /** @description `dependency_unavailable`: Redis, S3, DynamoDB, SSM, the rate limiter, the chat provider or the image worker did not answer within seconds. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DependencyUnavailableError"];
                };
            };
        };
    };
    getSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The `sessionId` returned by createSession. */
                sessionId: components["parameters"]["SessionId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The session view. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionView"];
                };
            };
            /** @description `invalid_request`: the body failed validation (a field missing, unknown, out of range), or a body was sent to a route that takes none. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvalidRequestError"];
                };
            };
            /** @description `missing_token`: no `Authorization: Bearer` header, or one whose token is malformed (the message says which; e.g. `<sessionToken>` copied literally). */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWWAuthenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MissingTokenError"];
                };
            };
            /** @description `session_not_found`: unknown session, wrong token, or an erased or expired one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionNotFoundError"];
                };
            };
            /** @description `payload_too_large`: the body is over 16 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PayloadTooLargeError"];
                };
            };
            /** @description `unsupported_media_type`: a body (or a required one) not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UnsupportedMediaTypeError"];
                };
            };
            /** @description `internal_error`: a bug, or a deployment mistake such as a missing secret. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InternalError"];
                };
            };
            /** @description `dependency_unavailable`: Redis, S3, DynamoDB, SSM, the rate limiter, the chat provider or the image worker did not answer within seconds. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DependencyUnavailableError"];
                };
            };
        };
    };
    deleteSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The `sessionId` returned by createSession. */
                sessionId: components["parameters"]["SessionId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Erased. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `invalid_request`: the body failed validation (a field missing, unknown, out of range), or a body was sent to a route that takes none. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvalidRequestError"];
                };
            };
            /** @description `missing_token`: no `Authorization: Bearer` header, or one whose token is malformed (the message says which; e.g. `<sessionToken>` copied literally). */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWWAuthenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MissingTokenError"];
                };
            };
            /** @description `session_not_found`: unknown session, wrong token, or an erased or expired one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionNotFoundError"];
                };
            };
            /** @description `payload_too_large`: the body is over 16 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PayloadTooLargeError"];
                };
            };
            /** @description `unsupported_media_type`: a body (or a required one) not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UnsupportedMediaTypeError"];
                };
            };
            /** @description `internal_error`: a bug, or a deployment mistake such as a missing secret. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InternalError"];
                };
            };
            /** @description `dependency_unavailable`: Redis, S3, DynamoDB, SSM, the rate limiter, the chat provider or the image worker did not answer within seconds. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DependencyUnavailableError"];
                };
            };
        };
    };
    postMessage: {
        parameters: {
            query?: never;
            header?: {
                /** @description A new unique key (a UUID) per request, the same on its retries: a repeat within 24 hours gets the first answer (status and body) without running again. Also accepted as a Structured Fields string (`"…"`). */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The `sessionId` returned by createSession. */
                sessionId: components["parameters"]["SessionId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PostMessageRequest"];
            };
        };
        responses: {
            /** @description The reply and the profile so far. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessageReply"];
                };
            };
            /** @description `invalid_request`: the body failed validation (a field missing, unknown, out of range), or a body was sent to a route that takes none. `malformed_json`: the body is not JSON, is not valid UTF-8 (or holds a raw U+FFFD, see Bodies above), names a key twice in one object at any depth, or holds a `__proto__` / `constructor` / `prototype` key. `invalid_idempotency_key`: the `Idempotency-Key` header is not 16–255 visible ASCII characters. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvalidRequestError"] | components["schemas"]["MalformedJsonError"] | components["schemas"]["InvalidIdempotencyKeyError"];
                };
            };
            /** @description `missing_token`: no `Authorization: Bearer` header, or one whose token is malformed (the message says which; e.g. `<sessionToken>` copied literally). */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWWAuthenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MissingTokenError"];
                };
            };
            /** @description `session_not_found`: unknown session, wrong token, or an erased or expired one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionNotFoundError"];
                };
            };
            /** @description `idempotency_key_in_use`: the first request with the same `Idempotency-Key` is still running. `session_completed`: the session is completed: no more messages, photos or pictures. `message_limit_reached`: the session took `MAX_USER_MESSAGES` user messages. `session_busy`: another request changed the session at the same moment, again and again. */
            409: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IdempotencyKeyInUseError"] | components["schemas"]["SessionCompletedError"] | components["schemas"]["MessageLimitError"] | components["schemas"]["SessionBusyError"];
                };
            };
            /** @description `payload_too_large`: the body is over 16 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PayloadTooLargeError"];
                };
            };
            /** @description `unsupported_media_type`: a body (or a required one) not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UnsupportedMediaTypeError"];
                };
            };
            /** @description `idempotency_key_reused`: the `Idempotency-Key` was used before for a different request (another body or another route). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IdempotencyKeyReusedError"];
                };
            };
            /** @description `rate_limited`: Too many messages for this session. `client_chat_limit`: this client address sent `CHAT_TURNS_PER_CLIENT_PER_HOUR` messages this hour, across all its sessions. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RateLimitedError"] | components["schemas"]["ClientChatLimitError"];
                };
            };
            /** @description `internal_error`: a bug, or a deployment mistake such as a missing secret. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InternalError"];
                };
            };
            /** @description `chat_budget_exhausted`: the stage answered its `CHAT_TURNS_PER_DAY` messages this UTC day; `Retry-After` is the time to the next day. `dependency_unavailable`: Redis, S3, DynamoDB, SSM, the rate limiter, the chat provider or the image worker did not answer within seconds. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChatBudgetError"] | components["schemas"]["DependencyUnavailableError"];
                };
            };
        };
    };
    requestPhotoUpload: {
        parameters: {
            query?: never;
            header?: {
                /** @description A new unique key (a UUID) per request, the same on its retries: a repeat within 24 hours gets the first answer (status and body) without running again. Also accepted as a Structured Fields string (`"…"`). */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The `sessionId` returned by createSession. */
                sessionId: components["parameters"]["SessionId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RequestPhotoUploadRequest"];
            };
        };
        responses: {
            /** @description The upload form and the pending photo. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PhotoUploadGrant"];
                };
            };
            /** @description `invalid_request`: the body failed validation (a field missing, unknown, out of range), or a body was sent to a route that takes none. `malformed_json`: the body is not JSON, is not valid UTF-8 (or holds a raw U+FFFD, see Bodies above), names a key twice in one object at any depth, or holds a `__proto__` / `constructor` / `prototype` key. `invalid_idempotency_key`: the `Idempotency-Key` header is not 16–255 visible ASCII characters. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvalidRequestError"] | components["schemas"]["MalformedJsonError"] | components["schemas"]["InvalidIdempotencyKeyError"];
                };
            };
            /** @description `missing_token`: no `Authorization: Bearer` header, or one whose token is malformed (the message says which; e.g. `<sessionToken>` copied literally). */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWWAuthenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MissingTokenError"];
                };
            };
            /** @description `session_not_found`: unknown session, wrong token, or an erased or expired one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionNotFoundError"];
                };
            };
            /** @description `idempotency_key_in_use`: the first request with the same `Idempotency-Key` is still running. `session_completed`: the session is completed: no more messages, photos or pictures. */
            409: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IdempotencyKeyInUseError"] | components["schemas"]["SessionCompletedError"];
                };
            };
            /** @description `payload_too_large`: the body is over 16 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PayloadTooLargeError"];
                };
            };
            /** @description `unsupported_media_type`: a body (or a required one) not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UnsupportedMediaTypeError"];
                };
            };
            /** @description `idempotency_key_reused`: the `Idempotency-Key` was used before for a different request (another body or another route). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IdempotencyKeyReusedError"];
                };
            };
            /** @description `internal_error`: a bug, or a deployment mistake such as a missing secret. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InternalError"];
                };
            };
            /** @description `dependency_unavailable`: Redis, S3, DynamoDB, SSM, the rate limiter, the chat provider or the image worker did not answer within seconds. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DependencyUnavailableError"];
                };
            };
        };
    };
    getPhoto: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The `sessionId` returned by createSession. */
                sessionId: components["parameters"]["SessionId"];
                /** @description Which picture. */
                name: components["parameters"]["PictureName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The URL, its expiry and content type. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PictureLink"];
                };
            };
            /** @description `invalid_request`: the body failed validation (a field missing, unknown, out of range), or a body was sent to a route that takes none. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvalidRequestError"];
                };
            };
            /** @description `missing_token`: no `Authorization: Bearer` header, or one whose token is malformed (the message says which; e.g. `<sessionToken>` copied literally). */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWWAuthenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MissingTokenError"];
                };
            };
            /** @description `session_not_found`: unknown session, wrong token, or an erased or expired one. `not_found`: a picture name other than `user`, `partner`, `child`. `picture_not_ready`: the picture does not exist or is not ready yet. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionNotFoundError"] | components["schemas"]["PictureNotFoundError"];
                };
            };
            /** @description `payload_too_large`: the body is over 16 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PayloadTooLargeError"];
                };
            };
            /** @description `unsupported_media_type`: a body (or a required one) not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UnsupportedMediaTypeError"];
                };
            };
            /** @description `internal_error`: a bug, or a deployment mistake such as a missing secret. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InternalError"];
                };
            };
            /** @description `dependency_unavailable`: Redis, S3, DynamoDB, SSM, the rate limiter, the chat provider or the image worker did not answer within seconds. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DependencyUnavailableError"];
                };
            };
        };
    };
    requestImage: {
        parameters: {
            query?: never;
            header?: {
                /** @description A new unique key (a UUID) per request, the same on its retries: a repeat within 24 hours gets the first answer (status and body) without running again. Also accepted as a Structured Fields string (`"…"`). */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The `sessionId` returned by createSession. */
                sessionId: components["parameters"]["SessionId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RequestImageRequest"];
            };
        };
        responses: {
            /** @description The same picture is already made from the same inputs. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReadyImageResponse"];
                };
            };
            /** @description A job is under way (new, or the one already running). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImageJobResponse"];
                };
            };
            /** @description `invalid_request`: the body failed validation (a field missing, unknown, out of range), or a body was sent to a route that takes none. `malformed_json`: the body is not JSON, is not valid UTF-8 (or holds a raw U+FFFD, see Bodies above), names a key twice in one object at any depth, or holds a `__proto__` / `constructor` / `prototype` key. `invalid_idempotency_key`: the `Idempotency-Key` header is not 16–255 visible ASCII characters. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvalidRequestError"] | components["schemas"]["MalformedJsonError"] | components["schemas"]["InvalidIdempotencyKeyError"];
                };
            };
            /** @description `missing_token`: no `Authorization: Bearer` header, or one whose token is malformed (the message says which; e.g. `<sessionToken>` copied literally). */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWWAuthenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MissingTokenError"];
                };
            };
            /** @description `session_not_found`: unknown session, wrong token, or an erased or expired one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionNotFoundError"];
                };
            };
            /** @description `idempotency_key_in_use`: the first request with the same `Idempotency-Key` is still running. `precondition_failed`: the picture's inputs are not there yet (see [Pictures](#generated-pictures)). `session_completed`: the session is completed: no more messages, photos or pictures. `session_busy`: another request changed the session at the same moment, again and again. */
            409: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IdempotencyKeyInUseError"] | components["schemas"]["PreconditionFailedError"] | components["schemas"]["SessionCompletedError"] | components["schemas"]["SessionBusyError"];
                };
            };
            /** @description `payload_too_large`: the body is over 16 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PayloadTooLargeError"];
                };
            };
            /** @description `unsupported_media_type`: a body (or a required one) not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UnsupportedMediaTypeError"];
                };
            };
            /** @description `idempotency_key_reused`: the `Idempotency-Key` was used before for a different request (another body or another route). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IdempotencyKeyReusedError"];
                };
            };
            /** @description `rate_limited`: The session's daily generations are spent. `client_image_limit`: this client address asked for `IMAGE_JOBS_PER_CLIENT_PER_HOUR` new pictures this hour, across all its sessions. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RateLimitedError"] | components["schemas"]["ClientImageLimitError"];
                };
            };
            /** @description `internal_error`: a bug, or a deployment mistake such as a missing secret. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InternalError"];
                };
            };
            /** @description `image_budget_exhausted`: the stage started its `IMAGE_JOBS_PER_DAY` new pictures this UTC day; `Retry-After` is the time to the next day. `images_paused`: the operator switched picture generation off; a job that was queued fails with `error: "images_paused"`. `dependency_unavailable`: Redis, S3, DynamoDB, SSM, the rate limiter, the chat provider or the image worker did not answer within seconds. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImageBudgetError"] | components["schemas"]["ImagesPausedError"] | components["schemas"]["DependencyUnavailableError"];
                };
            };
        };
    };
    completeSession: {
        parameters: {
            query?: never;
            header?: {
                /** @description A new unique key (a UUID) per request, the same on its retries: a repeat within 24 hours gets the first answer (status and body) without running again. Also accepted as a Structured Fields string (`"…"`). */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The `sessionId` returned by createSession. */
                sessionId: components["parameters"]["SessionId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The completed result. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CompletedSession"];
                };
            };
            /** @description `invalid_request`: the body failed validation (a field missing, unknown, out of range), or a body was sent to a route that takes none. `invalid_idempotency_key`: the `Idempotency-Key` header is not 16–255 visible ASCII characters. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvalidRequestError"] | components["schemas"]["InvalidIdempotencyKeyError"];
                };
            };
            /** @description `missing_token`: no `Authorization: Bearer` header, or one whose token is malformed (the message says which; e.g. `<sessionToken>` copied literally). */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWWAuthenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MissingTokenError"];
                };
            };
            /** @description `session_not_found`: unknown session, wrong token, or an erased or expired one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionNotFoundError"];
                };
            };
            /** @description `idempotency_key_in_use`: the first request with the same `Idempotency-Key` is still running. `profile_incomplete`: completion before the profile is complete. `images_pending`: completion while a picture is pending or running. `session_busy`: another request changed the session at the same moment, again and again. */
            409: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IdempotencyKeyInUseError"] | components["schemas"]["ProfileIncompleteError"] | components["schemas"]["ImagesPendingError"] | components["schemas"]["SessionBusyError"];
                };
            };
            /** @description `payload_too_large`: the body is over 16 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PayloadTooLargeError"];
                };
            };
            /** @description `unsupported_media_type`: a body (or a required one) not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UnsupportedMediaTypeError"];
                };
            };
            /** @description `idempotency_key_reused`: the `Idempotency-Key` was used before for a different request (another body or another route). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IdempotencyKeyReusedError"];
                };
            };
            /** @description `internal_error`: a bug, or a deployment mistake such as a missing secret. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InternalError"];
                };
            };
            /** @description `dependency_unavailable`: Redis, S3, DynamoDB, SSM, the rate limiter, the chat provider or the image worker did not answer within seconds. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DependencyUnavailableError"];
                };
            };
        };
    };
    getResult: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The `sessionId` returned by createSession. */
                sessionId: components["parameters"]["SessionId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The archived result. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ArchivedResult"];
                };
            };
            /** @description `invalid_request`: the body failed validation (a field missing, unknown, out of range), or a body was sent to a route that takes none. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvalidRequestError"];
                };
            };
            /** @description `missing_token`: no `Authorization: Bearer` header, or one whose token is malformed (the message says which; e.g. `<sessionToken>` copied literally). */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWWAuthenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MissingTokenError"];
                };
            };
            /** @description `session_not_found`: unknown session, wrong token, or an erased or expired one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionNotFoundError"];
                };
            };
            /** @description `payload_too_large`: the body is over 16 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PayloadTooLargeError"];
                };
            };
            /** @description `unsupported_media_type`: a body (or a required one) not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UnsupportedMediaTypeError"];
                };
            };
            /** @description `internal_error`: a bug, or a deployment mistake such as a missing secret. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InternalError"];
                };
            };
            /** @description `dependency_unavailable`: Redis, S3, DynamoDB, SSM, the rate limiter, the chat provider or the image worker did not answer within seconds. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DependencyUnavailableError"];
                };
            };
        };
    };
    health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every dependency answers. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthReport"];
                };
            };
            /** @description `invalid_request`: the body failed validation (a field missing, unknown, out of range), or a body was sent to a route that takes none. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvalidRequestError"];
                };
            };
            /** @description `payload_too_large`: the body is over 16 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PayloadTooLargeError"];
                };
            };
            /** @description `unsupported_media_type`: a body (or a required one) not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UnsupportedMediaTypeError"];
                };
            };
            /** @description `internal_error`: a bug, or a deployment mistake such as a missing secret. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InternalError"];
                };
            };
            /** @description A dependency does not answer: the report. `dependency_unavailable`: Redis, S3, DynamoDB, SSM, the rate limiter, the chat provider or the image worker did not answer within seconds. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthReport"] | components["schemas"]["DependencyUnavailableError"];
                };
            };
        };
    };
    openapi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI 3.1 document of this API. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenApiDocument"];
                };
            };
            /** @description `invalid_request`: the body failed validation (a field missing, unknown, out of range), or a body was sent to a route that takes none. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvalidRequestError"];
                };
            };
            /** @description `payload_too_large`: the body is over 16 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PayloadTooLargeError"];
                };
            };
            /** @description `unsupported_media_type`: a body (or a required one) not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UnsupportedMediaTypeError"];
                };
            };
            /** @description `internal_error`: a bug, or a deployment mistake such as a missing secret. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InternalError"];
                };
            };
            /** @description `dependency_unavailable`: Redis, S3, DynamoDB, SSM, the rate limiter, the chat provider or the image worker did not answer within seconds. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DependencyUnavailableError"];
                };
            };
        };
    };
}
