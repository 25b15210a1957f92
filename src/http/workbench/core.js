/**
 * The workbench's pure logic, shared by the page (global `WorkbenchCore`) and the node tests (require): where the
 * tradeStatistics answers of an operation are and with which arguments, their rows as a table, exact decimal
 * sorting and formatting, the chart's series, and the export URL. No DOM, no network.
 *
 * Decimals arrive as strings (PostgreSQL numeric): they are compared digit by digit and formatted from the string,
 * never through a float, so what the table shows is exactly what the API returned.
 */
/* global self */
(function (root, factory) {
  'use strict';
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.WorkbenchCore = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  var LANGS = ['az', 'en', 'ru'];
  var TIME_DIMENSIONS = ['YEAR', 'QUARTER', 'MONTH'];
  var FILTER_KEYS = [
    'countryCode',
    'customsPostCode',
    'direction',
    'from',
    'to',
    'hsCodePrefix',
    'procedureCode',
    'transportMode',
  ];
  var DECIMAL_RE = /^-?\d+(\.\d+)?$/;

  function isDecimal(v) {
    return typeof v === 'string' && DECIMAL_RE.test(v);
  }

  /** -1, 0 or 1: exact comparison of two decimal strings (any length, any scale). */
  function compareDecimal(a, b) {
    var na = a.charAt(0) === '-';
    var nb = b.charAt(0) === '-';
    var ia = stripZeros(a, na);
    var ib = stripZeros(b, nb);
    if (ia.zero && ib.zero) return 0;
    if (ia.zero) return nb ? 1 : -1;
    if (ib.zero) return na ? -1 : 1;
    if (na !== nb) return na ? -1 : 1;
    var c = compareMagnitude(ia, ib);
    return na ? -c : c;
  }

  function stripZeros(s, negative) {
    var body = negative ? s.slice(1) : s;
    var dot = body.indexOf('.');
    var int = (dot < 0 ? body : body.slice(0, dot)).replace(/^0+/, '');
    var frac = (dot < 0 ? '' : body.slice(dot + 1)).replace(/0+$/, '');
    return { int: int, frac: frac, zero: int === '' && frac === '' };
  }

  function compareMagnitude(x, y) {
    if (x.int.length !== y.int.length) return x.int.length < y.int.length ? -1 : 1;
    if (x.int !== y.int) return x.int < y.int ? -1 : 1;
    var n = Math.max(x.frac.length, y.frac.length);
    var fx = x.frac + '0'.repeat(n - x.frac.length);
    var fy = y.frac + '0'.repeat(n - y.frac.length);
    return fx === fy ? 0 : fx < fy ? -1 : 1;
  }

  function locale(lang) {
    return LANGS.indexOf(lang) >= 0 ? lang : 'az';
  }

  /**
   * CLDR's separators of the three languages. Some engines claim a language but format it with another's data
   * (headless Chromium's trimmed ICU formats az like English): Intl is used only where it agrees with these.
   */
  var CLDR_SEPARATORS = {
    az: { group: '.', decimal: ',' },
    en: { group: ',', decimal: '.' },
    ru: { group: '\u00a0', decimal: ',' },
  };

  function sameSeparator(a, b) {
    return a.replace(/\s/g, ' ') === b.replace(/\s/g, ' ');
  }

  /** Whether this engine's Intl formats the language with the language's own separators. */
  function intlKnows(lang) {
    try {
      if (Intl.NumberFormat.supportedLocalesOf([lang]).length !== 1) return false;
      var got = { group: null, decimal: null };
      new Intl.NumberFormat(lang).formatToParts(11111.5).forEach(function (p) {
        if (p.type === 'group' || p.type === 'decimal') got[p.type] = p.value;
      });
      var want = CLDR_SEPARATORS[lang];
      return got.group !== null && sameSeparator(got.group, want.group) && got.decimal === want.decimal;
    } catch (_e) {
      return false;
    }
  }

  /** The language's digit group and decimal separators. */
  function separators(lang) {
    return CLDR_SEPARATORS[locale(lang)];
  }

  function digitsOf(s) {
    return s.replace(/[^0-9]/g, '');
  }

  /**
   * A decimal string (or an integer) for the language, every digit kept: Intl formats the string itself (exact in
   * engines with Intl.NumberFormat v3) when it knows the language; else, or when its digits are not exactly the
   * input's, the language's separators are applied to the string by hand.
   */
  function formatDecimal(value, lang) {
    if (value === null || value === undefined) return '';
    var s = typeof value === 'number' ? String(value) : value;
    if (!isDecimal(s)) return String(value);
    var dot = s.indexOf('.');
    var scale = dot < 0 ? 0 : s.length - dot - 1;
    try {
      if (!intlKnows(locale(lang))) throw new Error('no Intl data for ' + lang);
      var out = new Intl.NumberFormat(locale(lang), {
        minimumFractionDigits: scale,
        maximumFractionDigits: scale,
        useGrouping: true,
      }).format(s);
      var negative = s.charAt(0) === '-' && /[1-9]/.test(s);
      if (digitsOf(out) === digitsOf(s) && /[-\u2212]/.test(out) === negative) return out;
    } catch (_e) {
      // fall through to the separators by hand
    }
    var sep = separators(lang);
    var neg = s.charAt(0) === '-';
    var body = neg ? s.slice(1) : s;
    var int = dot < 0 ? body : body.slice(0, body.indexOf('.'));
    var frac = dot < 0 ? '' : body.slice(body.indexOf('.') + 1);
    var grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, sep.group);
    return (neg ? '-' : '') + grouped + (frac ? sep.decimal + frac : '');
  }

  // ---- The operation: where its tradeStatistics answers are, with which arguments ----

  /** The operation GraphiQL ran: the named one, else the only one. */
  function pickOperation(doc, operationName) {
    var ops = doc.definitions.filter(function (d) {
      return d.kind === 'OperationDefinition';
    });
    if (operationName) {
      for (var i = 0; i < ops.length; i++) if (ops[i].name && ops[i].name.value === operationName) return ops[i];
      return null;
    }
    return ops.length === 1 ? ops[0] : null;
  }

  /** Root fields of a selection set, through inline fragments and fragment spreads. */
  function rootFields(selectionSet, fragments, seen) {
    var out = [];
    selectionSet.selections.forEach(function (sel) {
      if (sel.kind === 'Field') out.push(sel);
      else if (sel.kind === 'InlineFragment') out = out.concat(rootFields(sel.selectionSet, fragments, seen));
      else if (sel.kind === 'FragmentSpread' && !seen[sel.name.value] && fragments[sel.name.value]) {
        seen[sel.name.value] = true;
        out = out.concat(rootFields(fragments[sel.name.value].selectionSet, fragments, seen));
      }
    });
    return out;
  }

  /**
   * Every tradeStatistics field of the operation with its answer: [{ responseKey, groupBy, filter, answer }].
   * `graphql` is graphql-js (GraphiQL.GraphQL in the page): parse and valueFromASTUntyped.
   */
  function findStatistics(graphql, query, variables, operationName, data) {
    if (!data || typeof query !== 'string') return [];
    var doc;
    try {
      doc = graphql.parse(query);
    } catch (_e) {
      return [];
    }
    var op = pickOperation(doc, operationName);
    if (!op || op.operation !== 'query') return [];
    var fragments = {};
    doc.definitions.forEach(function (d) {
      if (d.kind === 'FragmentDefinition') fragments[d.name.value] = d;
    });
    var vars = variables && typeof variables === 'object' ? variables : {};
    var found = [];
    rootFields(op.selectionSet, fragments, {}).forEach(function (f) {
      if (f.name.value !== 'tradeStatistics') return;
      var key = f.alias ? f.alias.value : f.name.value;
      var answer = data[key];
      if (!answer || typeof answer !== 'object') return;
      var args = {};
      (f.arguments || []).forEach(function (a) {
        args[a.name.value] = graphql.valueFromASTUntyped(a.value, vars);
      });
      var groupBy = args.groupBy === undefined || args.groupBy === null ? [] : [].concat(args.groupBy);
      found.push({ responseKey: key, groupBy: groupBy, filter: args.filter || {}, answer: answer });
    });
    return found;
  }

  // ---- Rows as a table ----

  function flattenInto(out, prefix, value) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      Object.keys(value).forEach(function (k) {
        flattenInto(out, prefix ? prefix + '.' + k : k, value[k]);
      });
    } else {
      out[prefix] = Array.isArray(value) ? value.join(', ') : value;
    }
  }

  /**
   * The answer's rows as { columns, rows, totals, truncated }: one column per leaf field the query selected
   * (`key.country.name` is labelled `country.name`), key columns first; a column is numeric when every value is
   * a number or a decimal string. Totals (when selected) are one row of the measure columns.
   */
  function toTable(answer) {
    var rows = Array.isArray(answer && answer.rows) ? answer.rows : [];
    var flat = rows.map(function (r) {
      var o = {};
      flattenInto(o, '', r);
      return o;
    });
    var ids = [];
    flat.forEach(function (o) {
      Object.keys(o).forEach(function (k) {
        if (ids.indexOf(k) < 0) ids.push(k);
      });
    });
    var rank = function (id) {
      return id.indexOf('key.') === 0 ? 0 : id.indexOf('measures.') === 0 ? 1 : 2;
    };
    ids.sort(function (a, b) {
      return rank(a) - rank(b);
    });
    var columns = ids.map(function (id) {
      var numeric = flat.every(function (o) {
        var v = o[id];
        return v === null || v === undefined || typeof v === 'number' || isDecimal(v);
      });
      var any = flat.some(function (o) {
        return o[id] !== null && o[id] !== undefined;
      });
      var kind = id.indexOf('key.') === 0 ? 'key' : id.indexOf('measures.') === 0 ? 'measure' : 'other';
      return {
        id: id,
        label: kind === 'other' ? id : id.slice(id.indexOf('.') + 1),
        kind: kind,
        numeric: numeric && any,
      };
    });
    var totals = null;
    if (answer && answer.totals && typeof answer.totals === 'object') {
      totals = {};
      flattenInto(totals, 'measures', answer.totals);
    }
    return { columns: columns, rows: flat, totals: totals, truncated: !!(answer && answer.truncated) };
  }

  function compareValues(a, b, numeric) {
    var an = a === null || a === undefined;
    var bn = b === null || b === undefined;
    if (an || bn) return an && bn ? 0 : an ? 1 : -1; // empty cells last
    if (numeric) return compareDecimal(String(a), String(b));
    return String(a).localeCompare(String(b));
  }

  /** A sorted copy of the rows by one column (empty cells last in both directions); stable. */
  function sortRows(rows, column, direction) {
    var sign = direction === 'desc' ? -1 : 1;
    return rows
      .map(function (r, i) {
        return { r: r, i: i };
      })
      .sort(function (x, y) {
        var a = x.r[column.id];
        var b = y.r[column.id];
        var empty = (a === null || a === undefined) - (b === null || b === undefined);
        var c = empty !== 0 ? empty : sign * compareValues(a, b, column.numeric);
        return c !== 0 ? c : x.i - y.i;
      })
      .map(function (x) {
        return x.r;
      });
  }

  /** What a cell shows: numbers of measure columns formatted for the language, everything else as is. */
  function cellText(column, value, lang) {
    if (value === null || value === undefined) return '';
    if (column.kind === 'measure' && column.numeric) return formatDecimal(value, lang);
    return String(value);
  }

  // ---- Chart ----

  function pad2(n) {
    return (n < 10 ? '0' : '') + n;
  }

  /**
   * The chart for a table: lines over time when the query groups by YEAR, QUARTER or MONTH and selected those key
   * fields (one line per combination of the other key columns, at most `maxSeries`, largest first); bars otherwise
   * (the `maxBars` largest groups). Values stay exact strings; the page turns them into numbers only to plot.
   */
  function chartSpec(table, groupBy, measureId, opts) {
    var o = opts || {};
    var maxBars = o.maxBars || 25;
    var maxSeries = o.maxSeries || 8;
    var measure = null;
    table.columns.forEach(function (c) {
      if (c.id === measureId && c.numeric) measure = c;
    });
    if (!measure) return null;
    var keyCols = table.columns.filter(function (c) {
      return c.kind === 'key';
    });
    var timeIds = ['key.year', 'key.quarter', 'key.month'].filter(function (id) {
      return keyCols.some(function (c) {
        return c.id === id;
      });
    });
    var byTime = (groupBy || []).some(function (d) {
      return TIME_DIMENSIONS.indexOf(d) >= 0;
    });
    var otherCols = keyCols.filter(function (c) {
      return timeIds.indexOf(c.id) < 0 && !(c.id === 'key.country.code' && hasCol(keyCols, 'key.country.name'));
    });
    // The group's name: its non-empty key values ('—' for a group without any, e.g. items without a country).
    var labelOf = function (r, cols) {
      var parts = [];
      cols.forEach(function (c) {
        var v = r[c.id];
        if (v === null || v === undefined || v === '') return;
        parts.push(c.id === 'key.country.name' && r['key.country.code'] ? r['key.country.code'] + ' ' + v : String(v));
      });
      return parts.length ? parts.join(' · ') : '—';
    };
    if (byTime && timeIds.length > 0) {
      var timeLabel = function (r) {
        var y = r['key.year'];
        var q = r['key.quarter'];
        var m = r['key.month'];
        if (present(m)) return present(y) ? y + '-' + pad2(m) : pad2(m);
        if (present(q)) return present(y) ? y + ' Q' + q : 'Q' + q;
        return present(y) ? String(y) : '—';
      };
      var timeSort = function (a, b) {
        var ids = ['key.year', 'key.quarter', 'key.month'];
        for (var i = 0; i < ids.length; i++) {
          var x = a[ids[i]];
          var y = b[ids[i]];
          if (x !== y) return (x === undefined || x === null ? -1 : x) - (y === undefined || y === null ? -1 : y);
        }
        return 0;
      };
      var ordered = table.rows.slice().sort(timeSort);
      var labels = [];
      ordered.forEach(function (r) {
        var l = timeLabel(r);
        if (labels.indexOf(l) < 0) labels.push(l);
      });
      var series = {};
      var order = [];
      ordered.forEach(function (r) {
        var s = otherCols.length ? labelOf(r, otherCols) : measure.label;
        if (!series[s]) {
          series[s] = { label: s, values: {}, total: '0' };
          order.push(s);
        }
        var v = r[measure.id];
        if (v !== null && v !== undefined) {
          series[s].values[timeLabel(r)] = String(v);
          series[s].total = addForRanking(series[s].total, String(v));
        }
      });
      var ranked = order
        .map(function (k) {
          return series[k];
        })
        .sort(function (a, b) {
          return compareDecimal(b.total, a.total);
        });
      return {
        type: 'line',
        labels: labels,
        datasets: ranked.slice(0, maxSeries).map(function (s) {
          return {
            label: s.label,
            data: labels.map(function (l) {
              return s.values[l] === undefined ? null : s.values[l];
            }),
          };
        }),
        omitted: Math.max(0, ranked.length - maxSeries),
        measure: measure.label,
      };
    }
    var cols = otherCols.length ? otherCols : keyCols;
    var top = table.rows
      .filter(function (r) {
        return r[measure.id] !== null && r[measure.id] !== undefined;
      })
      .sort(function (a, b) {
        return compareDecimal(String(b[measure.id]), String(a[measure.id]));
      });
    var shown = top.slice(0, maxBars);
    return {
      type: 'bar',
      labels: shown.map(function (r) {
        return labelOf(r, cols);
      }),
      datasets: [
        {
          label: measure.label,
          data: shown.map(function (r) {
            return String(r[measure.id]);
          }),
        },
      ],
      omitted: top.length - shown.length,
      measure: measure.label,
    };
  }

  function present(v) {
    return v !== undefined && v !== null;
  }

  function hasCol(cols, id) {
    return cols.some(function (c) {
      return c.id === id;
    });
  }

  /** A sum only used to rank series (the magnitude's integer part is enough; exactness is not needed here). */
  function addForRanking(a, b) {
    return String(Number(a) + Number(b));
  }

  // ---- Exports ----

  /**
   * The export URL of a tradeStatistics query (the contract of GET /export/statistics.csv|.xlsx): one query key
   * per TradeFilter field with the value as GraphQL gives it (enum names, dates, codes), `groupBy` comma-separated,
   * `lang`, and `bom=1` when asked. Unknown filter fields are passed on too, so the server refuses them rather than
   * the file silently covering more than the table.
   */
  function exportUrl(format, groupBy, filter, lang, bom) {
    if (format !== 'csv' && format !== 'xlsx') throw new Error('format must be csv or xlsx');
    var params = [];
    var add = function (k, v) {
      params.push(encodeURIComponent(k) + '=' + encodeURIComponent(v));
    };
    add('groupBy', (groupBy || []).join(','));
    params[0] = params[0].replace(/%2C/g, ','); // TradeDimension names need no escaping; the comma reads better
    var f = filter || {};
    var keys = Object.keys(f).sort(function (a, b) {
      var ia = FILTER_KEYS.indexOf(a);
      var ib = FILTER_KEYS.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || (a < b ? -1 : a > b ? 1 : 0);
    });
    keys.forEach(function (k) {
      var v = f[k];
      if (v === null || v === undefined) return;
      add(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
    });
    add('lang', locale(lang));
    if (bom && format === 'csv') add('bom', '1');
    return '/export/statistics.' + format + '?' + params.join('&');
  }

  /** The file name the server suggests (Content-Disposition), else one made from the query. */
  function downloadName(contentDisposition, format, groupBy) {
    var m = /filename\*=UTF-8''([^;]+)/i.exec(contentDisposition || '');
    if (m) {
      try {
        return decodeURIComponent(m[1]);
      } catch (_e) {
        // fall through
      }
    }
    m = /filename="?([^";]+)"?/i.exec(contentDisposition || '');
    if (m) return m[1];
    var by = (groupBy || []).join('-').toLowerCase() || 'all';
    return 'trade-statistics-' + by + '.' + format;
  }

  /** Accept-Language for a workbench language: the language, then English as the fallback. */
  function acceptLanguage(lang) {
    var l = locale(lang);
    return l === 'en' ? 'en' : l + ', en;q=0.5';
  }

  return {
    LANGS: LANGS,
    isDecimal: isDecimal,
    compareDecimal: compareDecimal,
    formatDecimal: formatDecimal,
    separators: separators,
    findStatistics: findStatistics,
    toTable: toTable,
    sortRows: sortRows,
    cellText: cellText,
    chartSpec: chartSpec,
    exportUrl: exportUrl,
    downloadName: downloadName,
    acceptLanguage: acceptLanguage,
  };
});
