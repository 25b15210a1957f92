/**
 * One message per error code in each of the service's languages. A client gets the code's message in the
 * request's language, Azerbaijani unless Accept-Language asks for English or Russian (and the specific
 * English message the code was raised with in `extensions.messageEn`); asking for `en` gives that specific
 * English message (src/shared/error-language.ts). Codes never change. The compiler wants every code of the
 * catalogue here.
 */
import type { ErrorCode } from './errors';
import type { Language } from './lang';

export const ERROR_MESSAGES: { readonly [C in ErrorCode]: { readonly [L in Language]: string } } = {
  UNAUTHENTICATED: {
    AZ: 'Giriş edilməyib: sessiya yoxdur, vaxtı bitib və ya ləğv edilib, ya da giriş rədd edilib.',
    EN: 'Not authenticated: the session is missing, expired or revoked, or the login was refused.',
    RU: 'Не выполнен вход: сеанс отсутствует, истёк или отозван, либо вход отклонён.',
  },
  FORBIDDEN: {
    AZ: 'Bu əməliyyata icazəniz yoxdur.',
    EN: 'You are not allowed to do this.',
    RU: 'Это действие вам не разрешено.',
  },
  PARTICIPANT_BLOCKED: {
    AZ: 'İştirakçının xidmətə girişi gömrük orqanı tərəfindən bloklanıb.',
    EN: "The participant's access to the service is blocked by the customs authority.",
    RU: 'Доступ участника к сервису заблокирован таможенным органом.',
  },
  PASSWORD_CHANGE_REQUIRED: {
    AZ: 'Əvvəlcə birdəfəlik parolu dəyişin.',
    EN: 'Change the one-time password first.',
    RU: 'Сначала смените одноразовый пароль.',
  },
  ACCOUNT_LOCKED: {
    AZ: 'Çoxlu uğursuz giriş cəhdinə görə hesab müvəqqəti bloklanıb; retryAfterSeconds saniyədən sonra yenidən cəhd edin.',
    EN: 'The account is locked after too many failed logins; try again after retryAfterSeconds seconds.',
    RU: 'Учётная запись временно заблокирована после многих неудачных попыток входа; повторите через retryAfterSeconds секунд.',
  },
  RATE_LIMITED: {
    AZ: 'Həddən artıq çox sorğu; retryAfterSeconds saniyədən sonra yenidən cəhd edin.',
    EN: 'Too many requests; try again after retryAfterSeconds seconds.',
    RU: 'Слишком много запросов; повторите через retryAfterSeconds секунд.',
  },
  BAD_USER_INPUT: {
    AZ: 'Arqument və ya giriş sahəsi yanlışdır (sahə extensions.field-də göstərilib).',
    EN: 'An argument or input field is invalid (extensions.field names it).',
    RU: 'Неверный аргумент или поле ввода (поле указано в extensions.field).',
  },
  NOT_FOUND: {
    AZ: 'Belə identifikatorlu qeyd yoxdur.',
    EN: 'No record has this id.',
    RU: 'Записи с таким идентификатором нет.',
  },
  CHALLENGE_NOT_FOUND: {
    AZ: 'Belə giriş sorğusu (challenge) yoxdur.',
    EN: 'There is no login challenge with this id.',
    RU: 'Запроса на вход (challenge) с таким идентификатором нет.',
  },
  CHALLENGE_ALREADY_USED: {
    AZ: 'Bu giriş sorğusu artıq istifadə olunub; yenisini yaradın.',
    EN: 'This login challenge was already used; create a new one.',
    RU: 'Этот запрос на вход уже использован; создайте новый.',
  },
  CHALLENGE_EXPIRED: {
    AZ: 'Giriş sorğusunun vaxtı bitib; yenisini yaradın.',
    EN: 'The login challenge has expired; create a new one.',
    RU: 'Срок запроса на вход истёк; создайте новый.',
  },
  SIGNATURE_MALFORMED: {
    AZ: 'İmza oxuna bilmir (format səhvdir).',
    EN: 'The signature cannot be decoded.',
    RU: 'Подпись не удаётся прочитать (неверный формат).',
  },
  SIGNATURE_INVALID: {
    AZ: 'İmza etibarlı deyil.',
    EN: 'The signature is not valid.',
    RU: 'Подпись недействительна.',
  },
  CONTENT_MISMATCH: {
    AZ: 'İmza giriş sorğusunun mətni üzərində deyil.',
    EN: "The signature is not over the challenge's text.",
    RU: 'Подписан не текст запроса на вход.',
  },
  CERT_UNTRUSTED: {
    AZ: 'Sertifikat etibarlı sertifikatlaşdırma mərkəzinə bağlı deyil.',
    EN: 'The certificate does not chain to a trusted certification authority.',
    RU: 'Сертификат не восходит к доверенному удостоверяющему центру.',
  },
  CERT_EXPIRED: {
    AZ: 'Sertifikatın qüvvədə olma müddəti bitib.',
    EN: 'The certificate has expired.',
    RU: 'Срок действия сертификата истёк.',
  },
  CERT_NOT_YET_VALID: {
    AZ: 'Sertifikat hələ qüvvəyə minməyib.',
    EN: 'The certificate is not valid yet.',
    RU: 'Сертификат ещё не вступил в силу.',
  },
  CERT_REVOKED: {
    AZ: 'Sertifikat ləğv edilib.',
    EN: 'The certificate has been revoked.',
    RU: 'Сертификат отозван.',
  },
  CERT_KEY_USAGE: {
    AZ: 'Sertifikat imza üçün nəzərdə tutulmayıb.',
    EN: 'The certificate is not meant for signing.',
    RU: 'Сертификат не предназначен для подписи.',
  },
  CERT_POLICY: {
    AZ: 'Sertifikatda tələb olunan siyasət və ya istifadə təyinatı yoxdur.',
    EN: 'The certificate lacks a required policy or key purpose.',
    RU: 'В сертификате нет требуемой политики или назначения ключа.',
  },
  CERT_REVOCATION_UNKNOWN: {
    AZ: 'Sertifikatın ləğv statusu indi yoxlanıla bilmir; bir az sonra yenidən cəhd edin.',
    EN: "The certificate's revocation status cannot be checked now; try again later.",
    RU: 'Статус отзыва сертификата сейчас проверить нельзя; повторите позже.',
  },
  CERT_SUBJECT_UNMAPPED: {
    AZ: 'Sertifikatda iştirakçını müəyyən edən VÖEN və ya FİN yoxdur.',
    EN: 'The certificate names no VÖEN or FIN that identifies a participant.',
    RU: 'В сертификате нет VÖEN или FIN, определяющего участника.',
  },
  PARTICIPANT_NOT_FOUND: {
    AZ: 'Bu VÖEN və ya FİN ilə iştirakçı xidmətdə qeydiyyatda deyil.',
    EN: 'No participant with this VÖEN or FIN is registered with the service.',
    RU: 'Участник с этим VÖEN или FIN в сервисе не зарегистрирован.',
  },
  ASSERTION_INVALID: {
    AZ: 'Portal təsdiqi etibarlı deyil.',
    EN: 'The portal assertion is not valid.',
    RU: 'Утверждение портала недействительно.',
  },
  ASSERTION_REPLAYED: {
    AZ: 'Bu portal təsdiqi artıq istifadə olunub.',
    EN: 'This portal assertion was already used.',
    RU: 'Это утверждение портала уже использовано.',
  },
  QUERY_TOO_COMPLEX: {
    AZ: 'Sorğu çox mürəkkəbdir; onu kiçildin.',
    EN: 'The query is too complex; make it smaller.',
    RU: 'Запрос слишком сложен; уменьшите его.',
  },
  AUDIT_PROOF_PENDING: {
    AZ: 'Bu audit qeydi hələ imzalanmış yoxlama nöqtəsinə daxil deyil; retryAfterSeconds saniyədən sonra yenidən cəhd edin.',
    EN: 'No signed checkpoint covers this audit record yet; try again after retryAfterSeconds seconds.',
    RU: 'Эта запись аудита ещё не вошла в подписанную контрольную точку; повторите через retryAfterSeconds секунд.',
  },
  RECEIPT_INVALID: {
    AZ: 'İstinad edilən qəbz bu xidmətin sizə verdiyi qəbzlə uyğun gəlmir.',
    EN: 'The cited receipt does not match one this service issued to you.',
    RU: 'Указанная квитанция не совпадает ни с одной, выданной вам этим сервисом.',
  },
  QUERY_TIMEOUT: {
    AZ: 'Sorğu vaxt limitini keçdi; filtri daraldın və ya sonra yenidən cəhd edin.',
    EN: 'The query took too long; narrow the filter or try again later.',
    RU: 'Запрос выполнялся слишком долго; сузьте фильтр или повторите позже.',
  },
  DATABASE_UNAVAILABLE: {
    AZ: 'Verilənlər bazası əlçatan deyil; bir az sonra yenidən cəhd edin.',
    EN: 'The database is unavailable; try again later.',
    RU: 'База данных недоступна; повторите позже.',
  },
  AUDIT_UNAVAILABLE: {
    AZ: 'Sorğu qeydiyyata alına bilmədi, buna görə nəticə verilmir; bir az sonra yenidən cəhd edin.',
    EN: 'The request could not be recorded, so its result is withheld; try again later.',
    RU: 'Запрос не удалось зарегистрировать, поэтому результат не выдан; повторите позже.',
  },
  PAYLOAD_TOO_LARGE: {
    AZ: 'Sorğunun həcmi 1 MB-dan çoxdur.',
    EN: 'The request body is larger than 1 MB.',
    RU: 'Тело запроса больше 1 МБ.',
  },
  BAD_REQUEST: {
    AZ: 'Sorğu düzgün GraphQL sorğusu deyil.',
    EN: 'The request is not a valid GraphQL request.',
    RU: 'Запрос не является корректным запросом GraphQL.',
  },
  INTERNAL_SERVER_ERROR: {
    AZ: 'Daxili xəta; dəstəyə müraciət edərkən requestId-ni göstərin.',
    EN: 'Internal error; quote the requestId to support.',
    RU: 'Внутренняя ошибка; сообщите requestId в поддержку.',
  },
  GRAPHQL_PARSE_FAILED: {
    AZ: 'Sorğunun mətni oxuna bilmir (sintaksis xətası).',
    EN: 'The query text does not parse.',
    RU: 'Текст запроса не разбирается (синтаксическая ошибка).',
  },
  GRAPHQL_VALIDATION_FAILED: {
    AZ: 'Sorğu sxemə uyğun deyil.',
    EN: 'The query does not match the schema.',
    RU: 'Запрос не соответствует схеме.',
  },
  OPERATION_RESOLUTION_FAILURE: {
    AZ: 'operationName sənəddəki əməliyyatlardan heç birini göstərmir.',
    EN: 'operationName names none of the operations in the document.',
    RU: 'operationName не указывает ни одну операцию документа.',
  },
  PERSISTED_QUERY_NOT_FOUND: {
    AZ: 'Saxlanılmış sorğu tapılmadı; sorğunun mətnini də göndərin.',
    EN: 'Persisted query not found; send the query text with it.',
    RU: 'Сохранённый запрос не найден; отправьте и текст запроса.',
  },
};
