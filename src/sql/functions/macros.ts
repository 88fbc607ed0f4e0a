/**
 * DuckDB macros for Snowflake functions that DuckDB lacks or defines differently. They are installed
 * into the warehouse file's `main` schema (so views that use them also work from any DuckDB tool) and
 * named `sf_*` so they never shadow a DuckDB built-in. The function catalogue decides when each is used.
 */

/** Formats Snowflake's AUTO input recognises beyond ISO 8601. */
const DATE_FORMATS = `['%m/%d/%Y', '%d-%b-%Y', '%d-%B-%Y', '%Y/%m/%d', '%Y%m%d']`;
const TIMESTAMP_FORMATS = `['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%m/%d/%Y %H:%M:%S', '%d-%b-%Y %H:%M:%S', '%Y-%m-%d %H:%M', '%a, %d %b %Y %H:%M:%S']`;
/** Timestamps with a UTC offset (`2024-07-01 08:06:00 -07:00`), which Snowflake reads for LTZ and TZ. */
const OFFSET_TIMESTAMP_FORMATS = `['%Y-%m-%d %H:%M:%S %z', '%Y-%m-%d %H:%M:%S.%f %z', '%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%d %H:%M %z']`;
const INITCAP_DELIMITERS = ` \t\n\r\f\v!?@"^#$&~_,.:;+-*%/|\\[](){}<>`;

/** OBJECT_PICK (`keep`) / OBJECT_DELETE: the object with only, or without, the keys listed in `ks`. */
function objectKeysMacro(keep: boolean): string {
  const entry = `k -> row(k, json_extract(o, '$."' || replace(k, '"', '\\"') || '"'))`;
  return `(o, ks) AS CASE WHEN json_type(o) = 'OBJECT' THEN to_json(map_from_entries(list_filter(list_transform(json_keys(o), ${entry}), e -> ${keep ? '' : 'NOT '}list_contains(ks, e[1])))) END`;
}

/** ARRAY_EXCEPT / ARRAY_INTERSECTION: keeps a's k-th occurrence of an element when k `keep` b's count of it. */
function multisetMacro(keep: '>' | '<='): string {
  const occurrence = 'len(list_filter(sf_jlist(a)[1:p[2]], e -> e = p[1]))';
  const inB = 'len(list_filter(sf_jlist(b), e -> e = p[1]))';
  return (
    `(a, b) AS CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE to_json(list_transform(list_filter(list_zip(sf_jlist(a), range(1, len(sf_jlist(a)) + 1)), ` +
    `p -> ${occurrence} ${keep} ${inB}), p -> p[1])) END`
  );
}

export const MACROS: Record<string, string> = {
  // Conditional and null handling
  sf_nvl2: `(a, b, c) AS CASE WHEN a IS NOT NULL THEN b ELSE c END`,
  sf_zeroifnull: `(a) AS coalesce(a, 0)`,
  sf_nullifzero: `(a) AS nullif(a, 0)`,
  sf_equal_null: `(a, b) AS (a IS NOT DISTINCT FROM b)`,
  // Arithmetic: Snowflake raises "Division by zero"; DuckDB returns NULL or Infinity.
  sf_div: `(a, b) AS CASE WHEN b = 0 THEN error('Division by zero') ELSE a / b END`,
  // NUMBER / NUMBER, rounded half away from zero to scale S (see src/sql/translate/number-division.ts):
  // the operands' unscaled integers divided on BIGINTs while the operands are below 10^la1 / 10^lb1
  // (read through a DOUBLE, exact below 2^52; ma, mb = 10^scale of a, of b, mk = 10^k), else on
  // HUGEINTs while below 10^la2 / 10^lb2 (hma, hmb, hmk), else as DOUBLEs (ms = 10^S); each quotient
  // scaled back by the DECIMAL `unit` (10^-S) — in its own branch, as 64-bit DECIMALs are ~2x faster.
  sf_div_scaled:
    `(a, b, ma, mb, mk, hma, hmb, hmk, ms, la1, lb1, la2, lb2, unit) AS CASE WHEN b = 0 THEN error('Division by zero') ` +
    `WHEN abs(a) < la1 AND abs(b) < lb1 THEN CAST(CASE WHEN (a < 0) <> (b < 0) THEN -1 ELSE 1 END * ` +
    `((2 * abs(CAST(round(CAST(a AS DOUBLE) * ma) AS BIGINT)) * mk + abs(CAST(round(CAST(b AS DOUBLE) * mb) AS BIGINT))) ` +
    `// (2 * abs(CAST(round(CAST(b AS DOUBLE) * mb) AS BIGINT)))) AS DECIMAL(18,0)) * unit ` +
    `WHEN abs(a) < la2 AND abs(b) < lb2 THEN CAST(CASE WHEN (a < 0) <> (b < 0) THEN -1 ELSE 1 END * ` +
    `((2 * abs(CAST(a * hma AS HUGEINT)) * hmk + abs(CAST(b * hmb AS HUGEINT))) // (2 * abs(CAST(b * hmb AS HUGEINT)))) AS DECIMAL(38,0)) * unit ` +
    `ELSE CAST(round(a / b * ms) AS DECIMAL(38,0)) * unit END`,
  // Great-circle distance in km on a sphere of radius 6371 (Snowflake's documented example matches it).
  sf_haversine: `(lat1, lon1, lat2, lon2) AS 2 * 6371 * asin(sqrt(pow(sin(radians(lat2 - lat1) / 2), 2) + cos(radians(lat1)) * cos(radians(lat2)) * pow(sin(radians(lon2 - lon1) / 2), 2)))`,
  // Equal-width buckets 1..n over [lo, hi); 0 below, n + 1 from hi on (NULL for a NULL value).
  sf_width_bucket: `(x, lo, hi, n) AS CASE WHEN n <= 0 OR lo = hi THEN error('WIDTH_BUCKET needs a positive bucket count and distinct bounds') WHEN x IS NULL THEN NULL WHEN lo < hi THEN CASE WHEN x < lo THEN 0 WHEN x >= hi THEN n + 1 ELSE CAST(floor((x - lo) * n / (hi - lo)) AS BIGINT) + 1 END ELSE CASE WHEN x > lo THEN 0 WHEN x <= hi THEN n + 1 ELSE CAST(floor((lo - x) * n / (lo - hi)) AS BIGINT) + 1 END END`,
  sf_insert: `(s, pos, len, t) AS substr(s, 1, pos - 1) || t || substr(s, pos + len)`,
  sf_mod: `(a, b) AS CASE WHEN b = 0 THEN error('Division by zero') ELSE a % b END`,
  sf_div0: `(a, b) AS CASE WHEN b = 0 THEN 0 ELSE a / b END`,
  sf_div0null: `(a, b) AS CASE WHEN b = 0 OR b IS NULL THEN 0 ELSE a / b END`,
  sf_random: `() AS CAST((random() * 2 - 1) * 9.2e18 AS BIGINT)`,
  sf_uniform_int: `(lo, hi) AS CAST(floor(random() * (hi - lo + 1)) + lo AS BIGINT)`,
  sf_uniform_float: `(lo, hi) AS random() * (hi - lo) + lo`,
  // NORMAL by Box–Muller: from random() (a RANDOM() generator) or from two hashes of a seed.
  sf_normal: `(m, s) AS m + s * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())`,
  sf_normal_seeded: `(m, s, g) AS m + s * sqrt(-2 * ln(1 - (hash(g) % 9007199254740992) / 9007199254740992.0)) * cos(2 * pi() * (hash(g, 1) % 9007199254740992) / 9007199254740992.0)`,
  // RANDSTR: each character drawn from 0-9, a-z, A-Z by a hash of the seed and its position.
  sf_randstr: `(n, g) AS array_to_string(list_transform(range(n), i -> substr('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', CAST(hash(g, i) % 62 AS BIGINT) + 1, 1)), '')`,
  sf_uniform_int_seeded: `(lo, hi, g) AS CAST(lo + (hash(g) % CAST(hi - lo + 1 AS UBIGINT)) AS BIGINT)`,
  sf_hash: `(x) AS CAST(CAST(hash(x) AS HUGEINT) - 9223372036854775808 AS BIGINT)`,
  sf_float_to_varchar: `(x) AS CASE WHEN isfinite(x) AND x = trunc(x) AND abs(x) < 1e15 THEN CAST(CAST(x AS BIGINT) AS VARCHAR) ELSE CAST(x AS VARCHAR) END`,
  // VARIANT
  sf_v2s: `(v) AS json_extract_string(v, '$')`,
  sf_parse_json: `(s) AS CASE WHEN s IS NULL OR trim(CAST(s AS VARCHAR)) = '' THEN NULL ELSE json(CAST(s AS VARCHAR)) END`,
  sf_try_parse_json: `(s) AS CASE WHEN s IS NULL OR trim(CAST(s AS VARCHAR)) = '' OR NOT json_valid(CAST(s AS VARCHAR)) THEN NULL ELSE json(CAST(s AS VARCHAR)) END`,
  sf_typeof: `(v) AS CASE json_type(v) WHEN 'NULL' THEN 'NULL_VALUE' WHEN 'BIGINT' THEN 'INTEGER' WHEN 'UBIGINT' THEN 'INTEGER' WHEN 'DOUBLE' THEN CASE WHEN contains(lower(CAST(v AS VARCHAR)), 'e') OR ends_with(CAST(v AS VARCHAR), '.0') THEN 'DOUBLE' ELSE 'DECIMAL' END ELSE json_type(v) END`,
  sf_is_null_value: `(v) AS (json_type(v) = 'NULL')`,
  sf_strip_null_value: `(v) AS CASE WHEN json_type(v) = 'NULL' THEN NULL ELSE v END`,
  sf_is_type: `(v, t) AS (json_type(v) = t)`,
  sf_array_size: `(v) AS CASE WHEN json_type(v) = 'ARRAY' THEN CAST(json_array_length(v) AS BIGINT) END`,
  sf_array_elements: `(arr) AS CAST(json_extract(arr, '$[*]') AS VARCHAR[])`,
  sf_array_contains: `(x, arr) AS CASE WHEN arr IS NULL THEN NULL ELSE list_contains(CAST(json_extract(arr, '$[*]') AS VARCHAR[]), CAST(x AS VARCHAR)) END`,
  sf_array_position: `(x, arr) AS CASE WHEN arr IS NULL THEN NULL ELSE nullif(list_position(CAST(json_extract(arr, '$[*]') AS VARCHAR[]), CAST(x AS VARCHAR)), 0) - 1 END`,
  sf_array_to_string: `(arr, sep) AS array_to_string(list_transform(CAST(json_extract(arr, '$[*]') AS JSON[]), e -> json_extract_string(e, '$')), sep)`,
  sf_array_cat: `(a, b) AS to_json(list_concat(CAST(json_extract(a, '$[*]') AS JSON[]), CAST(json_extract(b, '$[*]') AS JSON[])))`,
  sf_array_append: `(a, x) AS to_json(list_append(CAST(json_extract(a, '$[*]') AS JSON[]), to_json(x)))`,
  sf_array_distinct: `(a) AS to_json(list_distinct(CAST(json_extract(a, '$[*]') AS JSON[])))`,
  sf_array_slice: `(a, f, t) AS to_json(CAST(json_extract(a, '$[*]') AS JSON[])[f + 1:t])`,
  sf_get: `(v, i) AS CASE WHEN json_type(v) = 'ARRAY' THEN json_extract(v, '$[' || CAST(i AS VARCHAR) || ']') WHEN json_type(v) = 'OBJECT' THEN json_extract(v, '$."' || replace(CAST(i AS VARCHAR), '"', '\\"') || '"') END`,
  sf_object_keys: `(o) AS CASE WHEN json_type(o) = 'OBJECT' THEN to_json(json_keys(o)) END`,
  // An ARRAY's elements as a list of JSON values (NULL for a NULL array).
  sf_jlist: `(a) AS CAST(json_extract(a, '$[*]') AS JSON[])`,
  sf_array_prepend: `(a, x) AS to_json(list_prepend(to_json(x), sf_jlist(a)))`,
  sf_array_compact: `(a) AS to_json(list_filter(sf_jlist(a), e -> json_type(e) <> 'NULL'))`,
  sf_array_remove: `(a, x) AS CASE WHEN x IS NULL THEN NULL ELSE to_json(list_filter(sf_jlist(a), e -> e <> to_json(x))) END`,
  // Multiset difference and intersection: an element's k-th occurrence in a stays while b holds it
  // fewer (EXCEPT) or at least (INTERSECTION) k times.
  sf_array_except: multisetMacro('>'),
  sf_array_intersection: multisetMacro('<='),
  // ARRAY_UNION_AGG over the group's arrays (a list of JSON lists): every non-null value, repeated as
  // often as the array holding it most often holds it.
  sf_union_multiset:
    `(l) AS coalesce(to_json(flatten(list_transform(list_distinct(list_filter(flatten(l), x -> json_type(x) <> 'NULL')), ` +
    `e -> list_transform(range(list_max(list_transform(l, arr -> len(list_filter(arr, x -> x = e))))), i -> e)))), '[]'::JSON)`,
  sf_array_flatten:
    `(a) AS CASE WHEN list_bool_or(list_transform(sf_jlist(a), e -> json_type(e) <> 'ARRAY')) THEN error('ARRAY_FLATTEN: every element must be an ARRAY') ` +
    `ELSE to_json(flatten(list_transform(sf_jlist(a), e -> sf_jlist(e)))) END`,
  // Non-null elements ordered: numbers by value first, then the rest by their text (Snowflake orders
  // mixed types by type; Backlot's order for mixed arrays is this one).
  sf_array_sorted:
    `(a) AS list_transform(list_sort(list_transform(list_filter(sf_jlist(a), e -> json_type(e) <> 'NULL'), ` +
    `e -> {'t': CASE WHEN json_type(e) IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN 0 ELSE 1 END, 'n': TRY_CAST(CAST(e AS VARCHAR) AS DOUBLE), 's': json_extract_string(e, '$'), 'j': e})), x -> x.j)`,
  sf_array_max: `(a) AS sf_array_sorted(a)[-1]`,
  sf_array_min: `(a) AS sf_array_sorted(a)[1]`,
  sf_array_sort:
    `(a, ascending, nulls_first) AS CASE WHEN a IS NULL THEN NULL ELSE to_json(list_concat(` +
    `CASE WHEN nulls_first THEN list_filter(sf_jlist(a), e -> json_type(e) = 'NULL') ELSE [] END, ` +
    `CASE WHEN ascending THEN sf_array_sorted(a) ELSE list_reverse(sf_array_sorted(a)) END, ` +
    `CASE WHEN nulls_first THEN [] ELSE list_filter(sf_jlist(a), e -> json_type(e) = 'NULL') END)) END`,
  sf_object_delete: objectKeysMacro(false),
  sf_object_pick: objectKeysMacro(true),
  sf_split: `(s, sep) AS to_json(CASE WHEN sep = '' THEN [s] ELSE string_split(s, sep) END)`,
  // Strings
  sf_check_length: `(v, n) AS CASE WHEN length(CAST(v AS VARCHAR)) > n THEN error('String ''' || left(CAST(v AS VARCHAR), 50) || ''' is too long and would be truncated') ELSE v END`,
  sf_strtok: `(s, d, n) AS list_filter(CASE WHEN d = '' THEN [s] ELSE string_split_regex(s, '[' || regexp_escape(d) || ']') END, x -> x <> '')[n]`,
  sf_strtok_to_array: `(s, d) AS to_json(list_filter(CASE WHEN d = '' THEN [s] ELSE string_split_regex(s, '[' || regexp_escape(d) || ']') END, x -> x <> ''))`,
  sf_regexp_substr: `(s, p, pos, occ, grp) AS regexp_extract_all(substr(s, pos), p, grp)[occ]`,
  sf_regexp_count: `(s, p) AS CAST(len(regexp_extract_all(s, p)) AS BIGINT)`,
  sf_regexp_instr: `(s, p) AS CASE WHEN regexp_matches(s, p) THEN CAST(strpos(s, regexp_extract(s, p)) AS BIGINT) ELSE 0 END`,
  sf_initcap: `(s) AS array_to_string(list_transform(range(1, length(s) + 1), i -> CASE WHEN i = 1 OR contains('${INITCAP_DELIMITERS.replace(/'/g, "''")}', s[i - 1]) THEN upper(s[i]) ELSE lower(s[i]) END), '')`,
  sf_concat2: `(a, b) AS CAST(a AS VARCHAR) || CAST(b AS VARCHAR)`,
  sf_charindex: `(sub, s, start) AS CASE WHEN strpos(substr(s, start), sub) = 0 THEN 0 ELSE strpos(substr(s, start), sub) + start - 1 END`,
  // Conversion
  sf_to_boolean: `(x) AS CASE WHEN x IS NULL THEN NULL WHEN lower(trim(CAST(x AS VARCHAR))) IN ('true', 't', 'yes', 'y', 'on', '1') THEN true WHEN lower(trim(CAST(x AS VARCHAR))) IN ('false', 'f', 'no', 'n', 'off', '0') THEN false ELSE error('Boolean value ''' || CAST(x AS VARCHAR) || ''' is not recognized') END`,
  sf_try_to_boolean: `(x) AS CASE WHEN lower(trim(CAST(x AS VARCHAR))) IN ('true', 't', 'yes', 'y', 'on', '1') THEN true WHEN lower(trim(CAST(x AS VARCHAR))) IN ('false', 'f', 'no', 'n', 'off', '0') THEN false END`,
  sf_try_to_date: `(s) AS coalesce(TRY_CAST(CAST(s AS VARCHAR) AS DATE), CAST(try_strptime(CAST(s AS VARCHAR), ${DATE_FORMATS}) AS DATE))`,
  sf_to_date: `(s) AS CASE WHEN s IS NULL THEN NULL ELSE coalesce(sf_try_to_date(s), error('Date ''' || CAST(s AS VARCHAR) || ''' is not recognized')) END`,
  sf_epoch_to_ntz: `(n) AS CASE WHEN abs(CAST(n AS DOUBLE)) < 31536000000 THEN make_timestamp(CAST(CAST(n AS DOUBLE) * 1000000 AS BIGINT)) WHEN abs(CAST(n AS DOUBLE)) < 31536000000000 THEN make_timestamp(CAST(CAST(n AS DOUBLE) * 1000 AS BIGINT)) WHEN abs(CAST(n AS DOUBLE)) < 31536000000000000 THEN make_timestamp(CAST(n AS BIGINT)) ELSE make_timestamp(CAST(CAST(n AS DOUBLE) / 1000 AS BIGINT)) END`,
  sf_try_to_timestamp_ntz: `(s) AS CASE WHEN regexp_full_match(trim(CAST(s AS VARCHAR)), '-?[0-9]+') THEN sf_epoch_to_ntz(CAST(trim(CAST(s AS VARCHAR)) AS BIGINT)) ELSE coalesce(TRY_CAST(CAST(s AS VARCHAR) AS TIMESTAMP), try_strptime(CAST(s AS VARCHAR), ${TIMESTAMP_FORMATS}), CAST(try_strptime(CAST(s AS VARCHAR), ${DATE_FORMATS}) AS TIMESTAMP)) END`,
  sf_to_timestamp_ntz: `(s) AS CASE WHEN s IS NULL THEN NULL ELSE coalesce(sf_try_to_timestamp_ntz(s), error('Timestamp ''' || CAST(s AS VARCHAR) || ''' is not recognized')) END`,
  sf_try_to_timestamp_ltz: `(s) AS CASE WHEN regexp_full_match(trim(CAST(s AS VARCHAR)), '-?[0-9]+') THEN CAST(timezone('UTC', sf_epoch_to_ntz(CAST(trim(CAST(s AS VARCHAR)) AS BIGINT))) AS TIMESTAMPTZ) ELSE coalesce(TRY_CAST(CAST(s AS VARCHAR) AS TIMESTAMPTZ), try_strptime(CAST(s AS VARCHAR), ${OFFSET_TIMESTAMP_FORMATS}), CAST(try_strptime(CAST(s AS VARCHAR), ${TIMESTAMP_FORMATS}) AS TIMESTAMPTZ), CAST(try_strptime(CAST(s AS VARCHAR), ${DATE_FORMATS}) AS TIMESTAMPTZ)) END`,
  sf_to_timestamp_ltz: `(s) AS CASE WHEN s IS NULL THEN NULL ELSE coalesce(sf_try_to_timestamp_ltz(s), error('Timestamp ''' || CAST(s AS VARCHAR) || ''' is not recognized')) END`,
  sf_try_to_time: `(s) AS coalesce(TRY_CAST(CAST(s AS VARCHAR) AS TIME), CAST(try_strptime(CAST(s AS VARCHAR), ['%H:%M', '%I:%M:%S %p', '%I:%M %p']) AS TIME))`,
  sf_to_time: `(s) AS CASE WHEN s IS NULL THEN NULL ELSE coalesce(sf_try_to_time(s), error('Time ''' || CAST(s AS VARCHAR) || ''' is not recognized')) END`,
  sf_strptime_checked: `(s, f, kind) AS CASE WHEN s IS NULL THEN NULL ELSE coalesce(try_strptime(CAST(s AS VARCHAR), f), error(kind || ' ''' || CAST(s AS VARCHAR) || ''' is not recognized')) END`,
  sf_hex_to_binary: `(s) AS CASE WHEN s IS NULL THEN NULL WHEN regexp_full_match(CAST(s AS VARCHAR), '([0-9A-Fa-f]{2})*') THEN unhex(CAST(s AS VARCHAR)) ELSE error('The following string is not a legal hex-encoded value: ''' || CAST(s AS VARCHAR) || '''') END`,
  sf_ts_to_varchar: `(x) AS strftime(x, '%Y-%m-%d %H:%M:%S.%g')`,
  // Snowflake's default TZHTZM offset is ±HHMM (-0700, +0530); DuckDB's %z prints -07 or +05:30.
  // A value's UTC offset as ±HH (TZH) and ±HH<sep>MM (TZHTZM, TZH:TZM).
  sf_tz_hour: `(x) AS CASE WHEN timezone_hour(x) * 60 + timezone_minute(x) < 0 THEN '-' ELSE '+' END || lpad(CAST(abs(timezone_hour(x)) AS VARCHAR), 2, '0')`,
  sf_tz_offset: `(x, sep) AS sf_tz_hour(x) || sep || lpad(CAST(abs(timezone_minute(x)) AS VARCHAR), 2, '0')`,
  sf_tstz_to_varchar: `(x) AS strftime(x, '%Y-%m-%d %H:%M:%S.%g ') || sf_tz_offset(x, '')`,
  // Dates
  sf_datediff_year: `(a, b) AS CAST(date_part('year', b) - date_part('year', a) AS BIGINT)`,
  sf_datediff_quarter: `(a, b) AS CAST((date_part('year', b) * 4 + date_part('quarter', b)) - (date_part('year', a) * 4 + date_part('quarter', a)) AS BIGINT)`,
  sf_datediff_month: `(a, b) AS CAST((date_part('year', b) * 12 + date_part('month', b)) - (date_part('year', a) * 12 + date_part('month', a)) AS BIGINT)`,
  sf_datediff_week: `(a, b) AS CAST((CAST(date_trunc('week', b) AS DATE) - CAST(date_trunc('week', a) AS DATE)) / 7 AS BIGINT)`,
  sf_datediff_day: `(a, b) AS CAST(CAST(b AS DATE) - CAST(a AS DATE) AS BIGINT)`,
  sf_datediff_hour: `(a, b) AS CAST((epoch(date_trunc('hour', b)) - epoch(date_trunc('hour', a))) / 3600 AS BIGINT)`,
  sf_datediff_minute: `(a, b) AS CAST((epoch(date_trunc('minute', b)) - epoch(date_trunc('minute', a))) / 60 AS BIGINT)`,
  sf_datediff_second: `(a, b) AS CAST(epoch(date_trunc('second', b)) - epoch(date_trunc('second', a)) AS BIGINT)`,
  sf_datediff_millisecond: `(a, b) AS CAST(epoch_ms(b) - epoch_ms(a) AS BIGINT)`,
  sf_datediff_microsecond: `(a, b) AS CAST(epoch_us(b) - epoch_us(a) AS BIGINT)`,
  sf_datediff_nanosecond: `(a, b) AS CAST(epoch_ns(b) - epoch_ns(a) AS BIGINT)`,
  sf_last_day_year: `(d) AS CAST(date_trunc('year', d) + INTERVAL 1 YEAR - INTERVAL 1 DAY AS DATE)`,
  sf_last_day_quarter: `(d) AS CAST(date_trunc('quarter', d) + INTERVAL 3 MONTH - INTERVAL 1 DAY AS DATE)`,
  sf_last_day_week: `(d) AS CAST(date_trunc('week', d) + INTERVAL 6 DAY AS DATE)`,
  sf_dayname: `(d) AS strftime(d, '%a')`,
  sf_monthname: `(d) AS strftime(d, '%b')`,
  sf_next_day: `(d, dow) AS CAST(d AS DATE) + CAST(((list_position(['su', 'mo', 'tu', 'we', 'th', 'fr', 'sa'], lower(substr(trim(dow), 1, 2))) - 1 - date_part('dow', d) + 6) % 7) + 1 AS INTEGER)`,
  sf_previous_day: `(d, dow) AS CAST(d AS DATE) - CAST(((date_part('dow', d) - (list_position(['su', 'mo', 'tu', 'we', 'th', 'fr', 'sa'], lower(substr(trim(dow), 1, 2))) - 1) + 6) % 7) + 1 AS INTEGER)`,
  sf_convert_timezone3: `(src, tgt, ts) AS timezone(tgt, timezone(src, CAST(ts AS TIMESTAMP)))`,
  sf_convert_timezone2: `(tgt, ts) AS timezone(tgt, CAST(ts AS TIMESTAMPTZ))`,
  // Clock: the engine sets __backlot_now per statement from its injectable clock.
  sf_now: `() AS coalesce(CAST(getvariable('__backlot_now') AS TIMESTAMPTZ), get_current_timestamp())`,
};

/** CREATE OR REPLACE MACRO statements for all macros, in dependency order. */
export function macroDefinitions(): string[] {
  // Macros that call other sf_ macros must come after them; the object order above already ensures it.
  return Object.entries(MACROS).map(([name, body]) => `CREATE OR REPLACE MACRO main.${name}${body}`);
}

/** A version string that changes whenever any macro changes, so the warehouse reinstalls them. */
export function macrosVersion(): string {
  let h = 0;
  const text = [...macroDefinitions(), ...tableMacroDefinitions()].join('\n');
  for (let i = 0; i < text.length; i += 1) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return (h >>> 0).toString(16);
}

/**
 * FLATTEN as table macros (input, DuckDB path, Snowflake path text, outer, mode). Output columns are
 * Snowflake's six: SEQ, KEY, PATH, INDEX, VALUE, THIS. SEQ is a hash of the input, so it is the same
 * for equal inputs (Snowflake only promises a per-input sequence number).
 */
export const TABLE_MACROS: Record<string, string> = {
  sf_flatten: `(input, dpath, spath, is_outer, mode) AS TABLE
    WITH src AS (SELECT CASE WHEN dpath = '$' THEN CAST(input AS JSON) ELSE json_extract(CAST(input AS JSON), dpath) END AS c),
    el AS (
      SELECT e.key AS k, e.value AS val, src.c AS c, json_type(src.c) AS ct, e.id AS eid
      FROM src, json_each(src.c) e
      WHERE json_type(src.c) IN ('OBJECT', 'ARRAY') AND (mode = 'BOTH' OR json_type(src.c) = mode)
    )
    SELECT CAST(hash(input) % 1000000007 AS BIGINT) AS "SEQ",
      CASE WHEN ct = 'OBJECT' THEN k END AS "KEY",
      CASE WHEN ct = 'ARRAY' THEN spath || '[' || k || ']' WHEN spath = '' THEN k ELSE spath || '.' || k END AS "PATH",
      CASE WHEN ct = 'ARRAY' THEN CAST(k AS BIGINT) END AS "INDEX",
      val AS "VALUE",
      c AS "THIS"
    FROM (SELECT * FROM el ORDER BY eid)
    UNION ALL
    SELECT CAST(hash(input) % 1000000007 AS BIGINT), NULL, spath, NULL, NULL, (SELECT c FROM src)
    WHERE is_outer AND NOT EXISTS (SELECT 1 FROM el)`,
  sf_flatten_recursive: `(input, dpath, spath, is_outer, mode) AS TABLE
    WITH src AS (SELECT CASE WHEN dpath = '$' THEN CAST(input AS JSON) ELSE json_extract(CAST(input AS JSON), dpath) END AS c),
    tree AS (SELECT t.* FROM src, json_tree(src.c) t WHERE json_type(src.c) IN ('OBJECT', 'ARRAY')),
    el AS (
      SELECT e.key AS k, e.value AS val, e.fullkey AS fk, p.value AS pval, p.type AS pt, e.id AS eid
      FROM tree e JOIN tree p ON e.parent = p.id
      WHERE mode = 'BOTH' OR p.type = mode
    )
    SELECT CAST(hash(input) % 1000000007 AS BIGINT) AS "SEQ",
      CASE WHEN pt = 'OBJECT' THEN k END AS "KEY",
      CASE WHEN spath = '' THEN ltrim(substr(fk, 2), '.')
           WHEN substr(fk, 2, 1) = '[' THEN spath || substr(fk, 2)
           ELSE spath || '.' || ltrim(substr(fk, 2), '.') END AS "PATH",
      CASE WHEN pt = 'ARRAY' THEN CAST(k AS BIGINT) END AS "INDEX",
      val AS "VALUE",
      pval AS "THIS"
    FROM (SELECT * FROM el ORDER BY eid)
    UNION ALL
    SELECT CAST(hash(input) % 1000000007 AS BIGINT), NULL, spath, NULL, NULL, (SELECT c FROM src)
    WHERE is_outer AND NOT EXISTS (SELECT 1 FROM el)`,
};

export function tableMacroDefinitions(): string[] {
  return Object.entries(TABLE_MACROS).map(([name, body]) => `CREATE OR REPLACE MACRO main.${name}${body}`);
}
