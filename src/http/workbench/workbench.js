/**
 * The analyst's workbench around GraphiQL 3.9 (UMD globals React, ReactDOM, GraphiQL, Chart and WorkbenchCore from
 * core.js). Loaded as a file so the Content-Security-Policy needs no inline script.
 *
 * - Sign-in (a GraphiQL plugin, open at start): username + password with the first-login password change, or an
 *   e-signature over a server challenge. The session token lives in sessionStorage only and is dropped on sign-out;
 *   the fetcher adds it to GraphiQL's requests (GraphiQL never sees it, so it never persists it).
 * - Language az/en/ru: Accept-Language on every request, number formats, the exports' `lang`.
 * - Results (below GraphiQL): every tradeStatistics answer as a sortable table and a chart, CSV/XLSX downloads of
 *   the same query through GET /export/statistics.csv|.xlsx.
 */
/* global window, document, sessionStorage, localStorage, fetch, Blob, URL, navigator, setTimeout */
/* global React, ReactDOM, GraphiQL, Chart, WorkbenchCore */
(function () {
  'use strict';
  var core = WorkbenchCore;
  var h = React.createElement;
  var TOKEN_KEY = 'workbench:token';
  var LANG_KEY = 'workbench:lang';

  // ---- Texts of the workbench itself ----
  var TEXT = {
    az: {
      workbench: 'İş masası',
      signIn: 'Daxil ol',
      signOut: 'Çıxış',
      password: 'Parol',
      username: 'İstifadəçi adı',
      esign: 'Elektron imza',
      signedInAs: 'Daxil olub:',
      notSignedIn: 'Daxil olmayıb',
      newPassword: 'Yeni parol (ən azı 12 simvol)',
      repeat: 'Yeni parolu təkrarlayın',
      changePassword: 'Parolu dəyiş və daxil ol',
      firstLogin: 'İlk giriş: birdəfəlik parolu yenisi ilə əvəz edin.',
      mismatch: 'Parollar eyni deyil.',
      createChallenge: 'Çağırış yarat',
      toBeSigned: 'İmzalanacaq mətn (toBeSigned)',
      copy: 'Kopyala',
      save: 'tbs.txt kimi saxla',
      signCommand: 'Bu əmrlə imzalayın (tbs.txt yuxarıdakı mətndir):',
      signature: 'İmza (base64 DER CMS)',
      signInSignature: 'İmza ilə daxil ol',
      orToken: 'Və ya tokeni npm run sign-challenge ilə alın və bura yapışdırın:',
      token: 'Sessiya tokeni',
      useToken: 'Tokenlə daxil ol',
      examples: 'Nümunə suallar',
      language: 'Dil',
      results: 'Nəticələr',
      table: 'Cədvəl',
      chart: 'Qrafik',
      measure: 'Göstərici',
      bom: 'Excel üçün BOM',
      noResults: 'tradeStatistics sorğusunu icra edin: cavab burada cədvəl və qrafik kimi görünəcək.',
      noStats: 'Son cavabda tradeStatistics yoxdur.',
      truncated: 'Qruplar first ilə kəsilib: cəmlər bütün məlumatları əhatə edir.',
      totals: 'Cəmi',
      rows: 'sətir',
      omitted: 'qrafikdə göstərilmir',
      downloading: 'Yüklənir…',
      downloaded: 'Yükləndi:',
      needSignIn: 'Əvvəlcə daxil olun.',
      hide: 'Gizlət',
      show: 'Göstər',
    },
    en: {
      workbench: 'Workbench',
      signIn: 'Sign in',
      signOut: 'Sign out',
      password: 'Password',
      username: 'Username',
      esign: 'E-signature',
      signedInAs: 'Signed in as',
      notSignedIn: 'Not signed in',
      newPassword: 'New password (at least 12 characters)',
      repeat: 'Repeat the new password',
      changePassword: 'Change password and sign in',
      firstLogin: 'First login: replace the one-time password with your own.',
      mismatch: 'The passwords differ.',
      createChallenge: 'Create a challenge',
      toBeSigned: 'Text to sign (toBeSigned)',
      copy: 'Copy',
      save: 'Save as tbs.txt',
      signCommand: 'Sign it with this command (tbs.txt holds the text above):',
      signature: 'Signature (base64 DER CMS)',
      signInSignature: 'Sign in with the signature',
      orToken: 'Or get a token with npm run sign-challenge and paste it here:',
      token: 'Session token',
      useToken: 'Sign in with the token',
      examples: 'Example questions',
      language: 'Language',
      results: 'Results',
      table: 'Table',
      chart: 'Chart',
      measure: 'Measure',
      bom: 'BOM for Excel',
      noResults: 'Run a tradeStatistics query: its answer shows here as a table and a chart.',
      noStats: 'The last answer has no tradeStatistics.',
      truncated: 'Groups cut by first: the totals cover every matching item.',
      totals: 'Totals',
      rows: 'rows',
      omitted: 'not in the chart',
      downloading: 'Downloading…',
      downloaded: 'Downloaded:',
      needSignIn: 'Sign in first.',
      hide: 'Hide',
      show: 'Show',
    },
    ru: {
      workbench: 'Рабочее место',
      signIn: 'Войти',
      signOut: 'Выйти',
      password: 'Пароль',
      username: 'Имя пользователя',
      esign: 'Электронная подпись',
      signedInAs: 'Вход выполнен:',
      notSignedIn: 'Вход не выполнен',
      newPassword: 'Новый пароль (не менее 12 символов)',
      repeat: 'Повторите новый пароль',
      changePassword: 'Сменить пароль и войти',
      firstLogin: 'Первый вход: замените одноразовый пароль своим.',
      mismatch: 'Пароли не совпадают.',
      createChallenge: 'Создать запрос на подпись',
      toBeSigned: 'Текст для подписи (toBeSigned)',
      copy: 'Копировать',
      save: 'Сохранить как tbs.txt',
      signCommand: 'Подпишите его этой командой (tbs.txt содержит текст выше):',
      signature: 'Подпись (base64 DER CMS)',
      signInSignature: 'Войти по подписи',
      orToken: 'Или получите токен через npm run sign-challenge и вставьте его сюда:',
      token: 'Токен сессии',
      useToken: 'Войти с токеном',
      examples: 'Примеры вопросов',
      language: 'Язык',
      results: 'Результаты',
      table: 'Таблица',
      chart: 'График',
      measure: 'Показатель',
      bom: 'BOM для Excel',
      noResults: 'Выполните запрос tradeStatistics: ответ появится здесь в виде таблицы и графика.',
      noStats: 'В последнем ответе нет tradeStatistics.',
      truncated: 'Группы обрезаны параметром first: итоги охватывают все данные.',
      totals: 'Итого',
      rows: 'строк',
      omitted: 'не показано на графике',
      downloading: 'Загрузка…',
      downloaded: 'Загружено:',
      needSignIn: 'Сначала войдите.',
      hide: 'Скрыть',
      show: 'Показать',
    },
  };

  // ---- Example questions ----
  var EXAMPLES = [
    {
      id: 'top-partners',
      title: { az: 'Əsas tərəfdaş ölkələr', en: 'Top partner countries', ru: 'Основные страны-партнёры' },
      query: [
        '# Top partner countries: customs value by partner country, imports and exports together',
        'query TopPartnerCountries {',
        '  tradeStatistics(groupBy: [COUNTRY], first: 20) {',
        '    rows { key { country { code name } } measures { declarationCount itemCount customsValueAzn netWeightKg } }',
        '    totals { declarationCount itemCount customsValueAzn netWeightKg }',
        '    truncated',
        '  }',
        '}',
      ],
    },
    {
      id: 'monthly-exports',
      title: {
        az: 'Bir HS fəsli üzrə aylıq ixrac',
        en: 'Monthly exports of one HS chapter',
        ru: 'Ежемесячный экспорт одной главы ТН ВЭД',
      },
      query: [
        '# Monthly exports of one HS chapter (change hsCodePrefix to your chapter)',
        'query MonthlyExportsOfChapter {',
        '  tradeStatistics(groupBy: [YEAR, MONTH], filter: { direction: EXPORT, hsCodePrefix: "08" }) {',
        '    rows { key { year month } measures { declarationCount customsValueAzn netWeightKg } }',
        '    totals { declarationCount customsValueAzn netWeightKg }',
        '    truncated',
        '  }',
        '}',
      ],
    },
    {
      id: 'imports-by-post',
      title: { az: 'Gömrük postları üzrə idxal', en: 'Imports by customs post', ru: 'Импорт по таможенным постам' },
      query: [
        '# Imports by customs post',
        'query ImportsByCustomsPost {',
        '  tradeStatistics(groupBy: [CUSTOMS_POST], filter: { direction: IMPORT }) {',
        '    rows { key { customsPostCode } measures { declarationCount itemCount customsValueAzn statisticalValueUsd } }',
        '    totals { declarationCount itemCount customsValueAzn statisticalValueUsd }',
        '    truncated',
        '  }',
        '}',
      ],
    },
    {
      id: 'yearly-by-direction',
      title: { az: 'İllər üzrə idxal və ixrac', en: 'Imports and exports by year', ru: 'Импорт и экспорт по годам' },
      query: [
        'query YearlyByDirection {',
        '  tradeStatistics(groupBy: [YEAR, DIRECTION]) {',
        '    rows { key { year direction } measures { declarationCount itemCount customsValueAzn } }',
        '    totals { declarationCount itemCount customsValueAzn }',
        '    truncated',
        '  }',
        '}',
      ],
    },
  ];

  // ---- Storage: the token in sessionStorage only; GraphiQL's own storage never holds headers ----

  /** Removes every `headers` property (GraphiQL keeps them in its tab state and history when asked to). */
  function withoutHeaders(json) {
    try {
      return JSON.stringify(JSON.parse(json), function (k, v) {
        return k === 'headers' ? undefined : v;
      });
    } catch (_e) {
      return json;
    }
  }

  /** Earlier versions of this page persisted GraphiQL's headers (a pasted bearer token) in localStorage. */
  function scrubLocalStorage() {
    try {
      var keys = [];
      for (var i = 0; i < localStorage.length; i++) keys.push(localStorage.key(i));
      keys.forEach(function (k) {
        if (k === 'graphiql:headers' || k === 'graphiql:shouldPersistHeaders') localStorage.removeItem(k);
        else if (k && k.indexOf('graphiql:') === 0) {
          var v = localStorage.getItem(k);
          var clean = v && withoutHeaders(v);
          if (clean !== v) localStorage.setItem(k, clean);
        }
      });
    } catch (_e) {
      // storage disabled: nothing stored either
    }
  }

  /** GraphiQL's storage: localStorage, minus anything that could hold a header. */
  var graphiqlStorage = {
    getItem: function (k) {
      if (k === 'graphiql:headers') return null;
      var v = localStorage.getItem(k);
      return v === null ? null : withoutHeaders(v);
    },
    setItem: function (k, v) {
      if (k === 'graphiql:headers') return;
      localStorage.setItem(k, withoutHeaders(v));
    },
    removeItem: function (k) {
      localStorage.removeItem(k);
    },
    get length() {
      var n = 0;
      for (var i = 0; i < localStorage.length; i++) if (String(localStorage.key(i)).indexOf('graphiql:') === 0) n++;
      return n;
    },
    clear: function () {
      var keys = [];
      for (var i = 0; i < localStorage.length; i++) keys.push(localStorage.key(i));
      keys.forEach(function (k) {
        if (String(k).indexOf('graphiql:') === 0) localStorage.removeItem(k);
      });
    },
  };

  function storedLang() {
    try {
      var l = localStorage.getItem(LANG_KEY);
      return core.LANGS.indexOf(l) >= 0 ? l : 'az';
    } catch (_e) {
      return 'az';
    }
  }

  var state = {
    token: sessionStorage.getItem(TOKEN_KEY),
    viewer: null,
    lang: storedLang(),
    stats: [], // findStatistics of the last answer
    which: 0, // the shown one, when the operation has several
    sort: null, // { id, dir }
    measure: null,
    chart: null,
    editor: null,
    execution: null,
    pending: null, // an example waiting for GraphiQL's editors
    collapsed: false,
  };

  function t(key) {
    return (TEXT[state.lang] || TEXT.en)[key] || TEXT.en[key] || key;
  }

  function setToken(token, viewer) {
    state.token = token;
    state.viewer = viewer || null;
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
    renderAll();
  }

  // ---- GraphQL ----

  function requestHeaders(extra) {
    var headers = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      'accept-language': core.acceptLanguage(state.lang),
    };
    Object.keys(extra || {}).forEach(function (k) {
      headers[k.toLowerCase()] = extra[k];
    });
    // An Authorization typed into GraphiQL's Headers tab wins over the signed-in session.
    if (state.token && !headers.authorization) headers.authorization = 'Bearer ' + state.token;
    return headers;
  }

  /** One operation for the sign-in flows: resolves with data, rejects with the first error (its code named). */
  function call(query, variables, token) {
    var headers = requestHeaders({});
    if (token === null) delete headers.authorization;
    else if (token) headers.authorization = 'Bearer ' + token;
    return fetch('/graphql', {
      method: 'POST',
      headers: headers,
      body: JSON.stringify({ query: query, variables: variables || {} }),
    })
      .then(function (r) {
        return r.json();
      })
      .then(function (body) {
        if (body.errors && body.errors.length) {
          var e = body.errors[0];
          var code = (e.extensions && e.extensions.code) || 'ERROR';
          var retry = e.extensions && e.extensions.retryAfterSeconds;
          var err = new Error(code + ': ' + e.message + (retry ? ' (' + retry + ' s)' : ''));
          err.code = code;
          throw err;
        }
        return body.data;
      });
  }

  /** GraphiQL's fetcher: the headers above, and every answer goes to the results panel. */
  function fetcher(params, opts) {
    var headers = requestHeaders((opts && opts.headers) || {});
    return fetch('/graphql', { method: 'POST', headers: headers, body: JSON.stringify(params) })
      .then(function (r) {
        return r.json();
      })
      .then(function (result) {
        if (params.operationName !== 'IntrospectionQuery') showAnswer(params, result);
        return result;
      });
  }

  var VIEWER_FIELDS = 'viewer { role authMethod username mustChangePassword participant { name voen fin } }';
  var LOGIN =
    'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token ' + VIEWER_FIELDS + ' } }';
  var CHANGE = 'mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }';
  var CHALLENGE = 'mutation { createLoginChallenge { id toBeSigned expiresAt } }';
  var SIGNATURE =
    'mutation($i: ID!, $s: String!) { loginWithSignature(challengeId: $i, signature: $s) { token ' +
    VIEWER_FIELDS +
    ' } }';
  var ME = 'query { me { role authMethod username mustChangePassword participant { name voen fin } } }';

  // ---- DOM helpers ----

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k === 'text') e.textContent = v;
      else if (k.indexOf('on') === 0) e.addEventListener(k.slice(2), v);
      else if (k === 'value') e.value = v;
      else e.setAttribute(k, v === true ? '' : v);
    });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined && c !== false) e.appendChild(typeof c === 'string' ? text(c) : c);
    });
    return e;
  }

  function text(s) {
    return document.createTextNode(s);
  }

  function clear(e) {
    while (e.firstChild) e.removeChild(e.firstChild);
    return e;
  }

  function field(label, input) {
    return el('label', { class: 'wb-field' }, [el('span', { text: label }), input]);
  }

  function saveBlob(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = el('a', { href: url, download: name, class: 'wb-hidden' });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 10000);
  }

  /** A Copy button for text, and the span beside it that confirms the copy. */
  function copyButton(text) {
    var copied = el('span', { class: 'wb-copied' });
    var button = el('button', {
      type: 'button',
      text: t('copy'),
      onclick: function () {
        copyText(text, copied);
      },
    });
    return { button: button, copied: copied };
  }

  function copyText(s, status) {
    var done = function () {
      status.textContent = '✓';
    };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(s).then(done, done);
  }

  // ---- The sign-in panel (GraphiQL plugin) ----

  var panel = el('div', { class: 'wb-panel', id: 'wb-panel' });
  var signin = { mode: 'password', step: 'form', username: '', oneTime: '', firstToken: null, challenge: null };

  function status(box, message, ok) {
    box.textContent = message || '';
    box.className = 'wb-status' + (ok ? ' wb-ok' : message ? ' wb-error' : '');
  }

  /** The handler of a form or button that sends a request: shows "…" in msg, runs send() and shows its error there. */
  function sending(msg, send) {
    return function (ev) {
      ev.preventDefault();
      status(msg, '…', true);
      send().catch(function (e) {
        status(msg, e.message);
      });
    };
  }

  function renderPanel() {
    clear(panel);
    panel.appendChild(el('h2', { text: t('workbench') }));
    panel.appendChild(el('section', { class: 'wb-signin', id: 'wb-signin' }, [signInView()]));
    panel.appendChild(el('h3', { text: t('examples') }));
    panel.appendChild(
      el(
        'ul',
        { class: 'wb-examples' },
        EXAMPLES.map(function (x) {
          return el('li', {}, [
            el('button', {
              type: 'button',
              class: 'wb-link',
              'data-example': x.id,
              text: x.title[state.lang] || x.title.en,
              onclick: function () {
                runExample(x);
              },
            }),
          ]);
        }),
      ),
    );
  }

  function signInView() {
    if (state.token && state.viewer && !state.viewer.mustChangePassword) {
      var v = state.viewer;
      var who = (v.username || v.authMethod) + (v.participant ? ' — ' + v.participant.name : '');
      return el('div', { class: 'wb-whoami' }, [
        el('p', {}, [t('signedInAs') + ' ', el('strong', { id: 'wb-who', text: who })]),
        el('button', { type: 'button', id: 'wb-signout', text: t('signOut'), onclick: signOut }),
      ]);
    }
    var box = el('div', {});
    box.appendChild(
      el('div', { class: 'wb-tabs', role: 'tablist' }, [
        tabButton('password', t('password')),
        tabButton('signature', t('esign')),
      ]),
    );
    box.appendChild(signin.mode === 'password' ? passwordView() : signatureView());
    return box;
  }

  function tabButton(mode, label) {
    return el('button', {
      type: 'button',
      role: 'tab',
      id: 'wb-tab-' + mode,
      'aria-selected': signin.mode === mode ? 'true' : 'false',
      text: label,
      onclick: function () {
        signin.mode = mode;
        renderPanel();
      },
    });
  }

  function passwordView() {
    var msg = el('p', { class: 'wb-status', id: 'wb-signin-status', role: 'status' });
    if (signin.step === 'change') {
      var n1 = el('input', { type: 'password', id: 'wb-new-password', autocomplete: 'new-password' });
      var n2 = el('input', { type: 'password', id: 'wb-new-password2', autocomplete: 'new-password' });
      return el(
        'form',
        {
          id: 'wb-change-form',
          onsubmit: sending(msg, function () {
            if (n1.value !== n2.value) return Promise.reject(new Error(t('mismatch')));
            var fresh = n1.value;
            // changePassword revokes every session of the account, the one-time one included: sign in again.
            return call(CHANGE, { c: signin.oneTime, n: fresh }, signin.firstToken)
              .then(function () {
                return call(LOGIN, { u: signin.username, p: fresh }, null);
              })
              .then(function (d) {
                signin.step = 'form';
                signin.oneTime = '';
                signin.firstToken = null;
                setToken(d.login.token, d.login.viewer);
              });
          }),
        },
        [
          el('p', { text: t('firstLogin') }),
          field(t('newPassword'), n1),
          field(t('repeat'), n2),
          el('button', { type: 'submit', id: 'wb-change', text: t('changePassword') }),
          msg,
        ],
      );
    }
    var u = el('input', { type: 'text', id: 'wb-username', autocomplete: 'username', value: signin.username });
    var p = el('input', { type: 'password', id: 'wb-password', autocomplete: 'current-password' });
    return el(
      'form',
      {
        id: 'wb-login-form',
        onsubmit: sending(msg, function () {
          signin.username = u.value;
          var pw = p.value;
          return call(LOGIN, { u: u.value, p: pw }, null).then(function (d) {
            if (d.login.viewer.mustChangePassword) {
              signin.step = 'change';
              signin.oneTime = pw;
              signin.firstToken = d.login.token;
              renderPanel();
            } else setToken(d.login.token, d.login.viewer);
          });
        }),
      },
      [
        field(t('username'), u),
        field(t('password'), p),
        el('button', { type: 'submit', id: 'wb-login', text: t('signIn') }),
        msg,
      ],
    );
  }

  /** The shell command that signs tbs.txt with a PEM key, as docs/signature-access.md describes. */
  function opensslCommand() {
    return (
      'openssl cms -sign -binary -md sha256 -nodetach -outform DER -in tbs.txt \\\n' +
      '  -signer YOUR.cert.pem -inkey YOUR.key.pem | base64 -w0'
    );
  }

  function signatureView() {
    var msg = el('p', { class: 'wb-status', id: 'wb-signature-status', role: 'status' });
    var box = el('div', { class: 'wb-signature' });
    box.appendChild(
      el('button', {
        type: 'button',
        id: 'wb-challenge',
        text: t('createChallenge'),
        onclick: sending(msg, function () {
          return call(CHALLENGE, {}, null).then(function (d) {
            signin.challenge = d.createLoginChallenge;
            renderPanel();
          });
        }),
      }),
    );
    var c = signin.challenge;
    if (c) {
      var tbsCopy = copyButton(c.toBeSigned);
      var commandCopy = copyButton(opensslCommand());
      var sig = el('textarea', { id: 'wb-signature', rows: '4', spellcheck: 'false' });
      box.appendChild(el('p', { class: 'wb-label', text: t('toBeSigned') + ' (' + c.expiresAt + ')' }));
      box.appendChild(el('pre', { id: 'wb-tbs', class: 'wb-code', text: c.toBeSigned }));
      box.appendChild(
        el('div', { class: 'wb-row' }, [
          tbsCopy.button,
          el('button', {
            type: 'button',
            id: 'wb-save-tbs',
            text: t('save'),
            onclick: function () {
              // The exact UTF-8 bytes: what the signature must cover.
              saveBlob(new Blob([c.toBeSigned], { type: 'text/plain;charset=utf-8' }), 'tbs.txt');
            },
          }),
          tbsCopy.copied,
        ]),
      );
      box.appendChild(el('p', { class: 'wb-label', text: t('signCommand') }));
      box.appendChild(el('pre', { id: 'wb-openssl', class: 'wb-code', text: opensslCommand() }));
      box.appendChild(el('div', { class: 'wb-row' }, [commandCopy.button, commandCopy.copied]));
      box.appendChild(
        el(
          'form',
          {
            id: 'wb-signature-form',
            onsubmit: function (ev) {
              ev.preventDefault();
              status(msg, '…', true);
              call(SIGNATURE, { i: c.id, s: sig.value.replace(/\s+/g, '') }, null)
                .then(function (d) {
                  signin.challenge = null;
                  setToken(d.loginWithSignature.token, d.loginWithSignature.viewer);
                })
                .catch(function (e) {
                  // A challenge is usable once: a refused signature needs a new one.
                  signin.challenge = null;
                  renderPanel();
                  status(document.getElementById('wb-signature-status'), e.message);
                });
            },
          },
          [
            field(t('signature'), sig),
            el('button', { type: 'submit', id: 'wb-signature-login', text: t('signInSignature') }),
          ],
        ),
      );
    }
    var tok = el('input', { type: 'password', id: 'wb-token', autocomplete: 'off' });
    var cli =
      'npm run -s sign-challenge -- --cert YOUR.cert.pem --key YOUR.key.pem --url ' +
      window.location.origin +
      '/graphql';
    box.appendChild(el('p', { class: 'wb-label', text: t('orToken') }));
    box.appendChild(el('pre', { id: 'wb-cli', class: 'wb-code', text: cli }));
    box.appendChild(
      el(
        'form',
        {
          id: 'wb-token-form',
          onsubmit: function (ev) {
            ev.preventDefault();
            var token = tok.value.trim();
            call(ME, {}, token)
              .then(function (d) {
                setToken(token, d.me);
              })
              .catch(function (e) {
                status(msg, e.message);
              });
          },
        },
        [field(t('token'), tok), el('button', { type: 'submit', id: 'wb-use-token', text: t('useToken') })],
      ),
    );
    box.appendChild(msg);
    return box;
  }

  function signOut() {
    var token = state.token;
    // The trader's figures leave the screen with the session: the table, the chart and GraphiQL's response.
    state.stats = [];
    state.errors = null;
    if (state.editor && state.editor.responseEditor) state.editor.responseEditor.setValue('');
    setToken(null);
    // The session is revoked on the server too; the token is gone from this tab whatever the answer.
    if (token) call('mutation { logout }', {}, token).catch(function () {});
  }

  // ---- Examples ----

  function runExample(x) {
    state.pending = x;
    applyPending();
  }

  function applyPending() {
    var x = state.pending;
    var ed = state.editor;
    if (!x || !ed || !ed.queryEditor) return;
    state.pending = null;
    var text = x.query.join('\n');
    ed.queryEditor.setValue(text);
    if (ed.variableEditor) ed.variableEditor.setValue('');
    // GraphiQL learns the operation's name from the new text only after a 100 ms debounce; run() would send the
    // previous one (and the server refuse it): name it now.
    var name = /^\s*query\s+(\w+)/m.exec(text);
    ed.queryEditor.operationName = name ? name[1] : null;
    // Let GraphiQL take the new text in before it runs it.
    setTimeout(function () {
      if (state.execution && state.execution.run) state.execution.run();
    }, 0);
  }

  // ---- Results panel ----

  var results = document.getElementById('wb-results');

  function showAnswer(params, result) {
    var vars = params.variables;
    if (typeof vars === 'string') {
      try {
        vars = JSON.parse(vars);
      } catch (_e) {
        vars = {};
      }
    }
    var found = core.findStatistics(GraphiQL.GraphQL, params.query, vars, params.operationName, result && result.data);
    if (found.length === 0 && !/tradeStatistics/.test(params.query || '')) return; // other operations leave it be
    state.stats = found;
    state.which = 0;
    state.sort = null;
    state.errors = result && result.errors;
    renderResults();
  }

  function current() {
    return state.stats[state.which] || null;
  }

  function renderResults() {
    clear(results);
    var bar = el('div', { class: 'wb-bar' });
    bar.appendChild(el('strong', { text: t('results') }));
    var who = state.token && state.viewer && !state.viewer.mustChangePassword ? state.viewer : null;
    bar.appendChild(
      el('span', { class: 'wb-session', id: 'wb-session' }, [
        who
          ? t('signedInAs') +
            ' ' +
            (who.username || who.authMethod) +
            (who.participant ? ' — ' + who.participant.name : '')
          : t('notSignedIn'),
      ]),
    );
    if (who)
      bar.appendChild(el('button', { type: 'button', id: 'wb-signout-bar', text: t('signOut'), onclick: signOut }));
    var langSel = el(
      'select',
      {
        id: 'wb-lang',
        'aria-label': t('language'),
        onchange: function (ev) {
          state.lang = ev.target.value;
          try {
            localStorage.setItem(LANG_KEY, state.lang);
          } catch (_e) {
            // not kept: the choice holds for this page
          }
          document.documentElement.lang = state.lang;
          renderAll();
        },
      },
      core.LANGS.map(function (l) {
        return el('option', { value: l, selected: l === state.lang, text: l });
      }),
    );
    bar.appendChild(field(t('language'), langSel));
    var s = current();
    if (state.stats.length > 1) {
      bar.appendChild(
        el(
          'select',
          {
            id: 'wb-which',
            onchange: function (ev) {
              state.which = Number(ev.target.value);
              state.sort = null;
              renderResults();
            },
          },
          state.stats.map(function (x, i) {
            return el('option', { value: String(i), selected: i === state.which, text: x.responseKey });
          }),
        ),
      );
    }
    var bom = el('input', { type: 'checkbox', id: 'wb-bom', checked: state.bom !== false });
    bom.addEventListener('change', function () {
      state.bom = bom.checked;
    });
    var dl = el('span', { class: 'wb-status', id: 'wb-download-status', role: 'status' });
    bar.appendChild(
      el('span', { class: 'wb-downloads' }, [
        el('button', {
          type: 'button',
          id: 'wb-csv',
          disabled: !s,
          text: 'CSV',
          onclick: function () {
            download('csv', dl);
          },
        }),
        el('button', {
          type: 'button',
          id: 'wb-xlsx',
          disabled: !s,
          text: 'XLSX',
          onclick: function () {
            download('xlsx', dl);
          },
        }),
        el('label', { class: 'wb-check' }, [bom, t('bom')]),
        dl,
      ]),
    );
    bar.appendChild(
      el('button', {
        type: 'button',
        class: 'wb-toggle',
        id: 'wb-toggle',
        text: state.collapsed ? t('show') : t('hide'),
        onclick: function () {
          state.collapsed = !state.collapsed;
          document.getElementById('wb-root').classList.toggle('wb-collapsed', state.collapsed);
          renderResults();
        },
      }),
    );
    results.appendChild(bar);
    if (state.collapsed) return;
    var body = el('div', { class: 'wb-body' });
    results.appendChild(body);
    if (!s) {
      body.appendChild(el('p', { class: 'wb-empty', id: 'wb-empty', text: state.stats.length ? '' : emptyText() }));
      return;
    }
    var table = core.toTable(s.answer);
    body.appendChild(tableView(table));
    body.appendChild(chartView(table, s.groupBy));
  }

  function emptyText() {
    return state.errors ? t('noStats') : t('noResults');
  }

  function tableView(table) {
    var cols = table.columns;
    var rows = state.sort
      ? core.sortRows(
          table.rows,
          cols.filter(function (c) {
            return c.id === state.sort.id;
          })[0] || cols[0],
          state.sort.dir,
        )
      : table.rows;
    var head = el(
      'tr',
      {},
      cols.map(function (c) {
        var dir = state.sort && state.sort.id === c.id ? state.sort.dir : null;
        return el(
          'th',
          {
            scope: 'col',
            'aria-sort': dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none',
            class: c.numeric && c.kind === 'measure' ? 'wb-num' : '',
          },
          [
            el('button', {
              type: 'button',
              'data-column': c.id,
              text: c.label + (dir === 'asc' ? ' ▲' : dir === 'desc' ? ' ▼' : ''),
              onclick: function () {
                var next = dir === 'asc' ? 'desc' : 'asc';
                state.sort = { id: c.id, dir: next };
                renderResults();
              },
            }),
          ],
        );
      }),
    );
    var tbody = el(
      'tbody',
      {},
      rows.map(function (r) {
        return el(
          'tr',
          {},
          cols.map(function (c) {
            var v = r[c.id];
            return el('td', {
              'data-column': c.id,
              'data-value': v === null || v === undefined ? '' : String(v),
              class: c.numeric && c.kind === 'measure' ? 'wb-num' : '',
              text: core.cellText(c, v, state.lang),
            });
          }),
        );
      }),
    );
    var foot = null;
    if (table.totals) {
      foot = el('tfoot', {}, [
        el(
          'tr',
          {},
          cols.map(function (c, i) {
            var v = table.totals[c.id];
            if (v === undefined) return el('td', { text: i === 0 ? t('totals') : '' });
            return el('td', {
              'data-column': c.id,
              'data-value': v === null ? '' : String(v),
              class: 'wb-num',
              text: core.cellText(c, v, state.lang),
            });
          }),
        ),
      ]);
    }
    var wrap = el('div', { class: 'wb-table-wrap' }, [
      el('p', { class: 'wb-meta', id: 'wb-meta' }, [
        current().responseKey + ': ' + table.rows.length + ' ' + t('rows'),
        table.truncated ? ' — ' + t('truncated') : '',
      ]),
      el('table', { id: 'wb-table', class: 'wb-table' }, [el('thead', {}, [head]), tbody, foot]),
    ]);
    return wrap;
  }

  function chartView(table, groupBy) {
    var measures = table.columns.filter(function (c) {
      return c.kind === 'measure' && c.numeric;
    });
    var wrap = el('div', { class: 'wb-chart-wrap' });
    if (!measures.length) return wrap;
    var ids = measures.map(function (c) {
      return c.id;
    });
    if (ids.indexOf(state.measure) < 0) {
      state.measure = ids.indexOf('measures.customsValueAzn') >= 0 ? 'measures.customsValueAzn' : ids[0];
    }
    var sel = el(
      'select',
      {
        id: 'wb-measure',
        onchange: function (ev) {
          state.measure = ev.target.value;
          renderResults();
        },
      },
      measures.map(function (c) {
        return el('option', { value: c.id, selected: c.id === state.measure, text: c.label });
      }),
    );
    wrap.appendChild(field(t('measure'), sel));
    var spec = core.chartSpec(table, groupBy, state.measure);
    var canvas = el('canvas', { id: 'wb-chart', 'data-type': spec ? spec.type : '' });
    wrap.appendChild(el('div', { class: 'wb-canvas' }, [canvas]));
    if (spec && spec.omitted > 0)
      wrap.appendChild(el('p', { class: 'wb-meta', text: spec.omitted + ' ' + t('omitted') }));
    if (state.chart) state.chart.destroy();
    state.chart = null;
    if (!spec) return wrap;
    var lang = state.lang;
    state.chart = new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (d) {
          return {
            label: d.label,
            exact: d.data,
            // Numbers for plotting only: the tooltip and the table show the exact strings.
            data: d.data.map(function (v) {
              return v === null ? null : Number(v);
            }),
            spanGaps: true,
          };
        }),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: spec.type === 'line' },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var exact = ctx.dataset.exact[ctx.dataIndex];
                return ctx.dataset.label + ': ' + core.formatDecimal(exact, lang);
              },
            },
          },
        },
        scales: {
          y: {
            beginAtZero: true,
            ticks: {
              callback: function (v) {
                return new Intl.NumberFormat(lang, { notation: 'compact' }).format(v);
              },
            },
          },
        },
      },
    });
    return wrap;
  }

  function download(format, box) {
    var s = current();
    if (!s) return;
    if (!state.token) return status(box, t('needSignIn'));
    var url = core.exportUrl(format, s.groupBy, s.filter, state.lang, state.bom !== false);
    status(box, t('downloading'), true);
    fetch(url, {
      headers: { authorization: 'Bearer ' + state.token, 'accept-language': core.acceptLanguage(state.lang) },
    })
      .then(function (r) {
        if (!r.ok) {
          return r.text().then(function (body) {
            var message = 'HTTP ' + r.status;
            try {
              var e = JSON.parse(body).errors[0];
              message = ((e.extensions && e.extensions.code) || message) + ': ' + e.message;
            } catch (_e) {
              // not a JSON error body: the status says it
            }
            throw new Error(message);
          });
        }
        var name = core.downloadName(r.headers.get('content-disposition'), format, s.groupBy);
        return r.blob().then(function (blob) {
          saveBlob(blob, name);
          status(box, t('downloaded') + ' ' + name, true);
        });
      })
      .catch(function (e) {
        status(box, e.message);
      });
  }

  // ---- GraphiQL with the plugin ----

  function PanelContent() {
    var ref = React.useRef(null);
    React.useEffect(function () {
      var host = ref.current;
      host.appendChild(panel);
      return function () {
        if (panel.parentNode === host) host.removeChild(panel);
      };
    }, []);
    return h('div', { ref: ref, className: 'wb-plugin' });
  }

  function PanelIcon() {
    return h(
      'svg',
      { viewBox: '0 0 24 24', width: 24, height: 24, 'aria-hidden': 'true', className: 'wb-icon' },
      h('path', {
        d: 'M4 20V10M10 20V4M16 20v-7M22 20H2',
        fill: 'none',
        stroke: 'currentColor',
        strokeWidth: 1.8,
        strokeLinecap: 'round',
      }),
    );
  }

  var plugin = { title: 'Workbench', icon: PanelIcon, content: PanelContent };

  /** Always rendered inside GraphiQL (its toolbar): hands the editors and `run` to the examples. */
  function Bridge() {
    state.editor = GraphiQL.React.useEditorContext({ nonNull: true });
    state.execution = GraphiQL.React.useExecutionContext({ nonNull: true });
    React.useEffect(function () {
      applyPending();
    });
    return null;
  }

  function renderAll() {
    renderPanel();
    renderResults();
  }

  function start() {
    scrubLocalStorage();
    document.documentElement.lang = state.lang;
    renderAll();
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      h(GraphiQL, {
        fetcher: fetcher,
        plugins: [plugin],
        visiblePlugin: plugin,
        storage: graphiqlStorage,
        shouldPersistHeaders: false,
        showPersistHeadersSettings: false,
        defaultEditorToolsVisibility: true,
        defaultQuery: EXAMPLES[3].query.join('\n') + '\n',
        toolbar: { additionalComponent: Bridge },
      }),
    );
    if (state.token) {
      call(ME, {}, state.token)
        .then(function (d) {
          state.viewer = d.me;
          renderAll();
        })
        .catch(function (e) {
          // Expired or revoked: forget it.
          if (e.code === 'UNAUTHENTICATED' || e.code === 'PARTICIPANT_BLOCKED') {
            setToken(null);
          }
        });
    }
  }

  start();
})();
