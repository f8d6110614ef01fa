-- wrk script for load/run.sh: a rotating mix of three requests against `serve`
--   1. a simple GET / from an allowed origin          (CORS on: 200 + ACAO = the origin)
--   2. a preflight OPTIONS /echo for PUT+content-type  (CORS on: 204 + ACAO + ACAM)
--   3. a GET / from a rejected origin                  (CORS on: 200, no CORS headers)
-- Every response is classified by what it carries; anything else counts as an error.
-- With CORS=off (serve --no-cors) 1 and 3 must be 200 without CORS headers and 2 is the
-- framework's own 404/405 for an unrouted OPTIONS (counted as "expected", not an error).
-- done() prints one line: RESULT key=value ...

local cors_on = os.getenv("CORS") ~= "off"
local allowed_origin = "https://app.example.com"
local rejected_origin = "https://evil.example"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  sent = { 0, 0, 0 }
  got = { allowed = 0, preflight = 0, rejected = 0, plain = 0, expected_non2xx = 0, bad = 0 }
  first_bad = ""
  n = 0
  reqs = {
    wrk.format("GET", "/", { ["Origin"] = allowed_origin }),
    wrk.format("OPTIONS", "/echo", {
      ["Origin"] = allowed_origin,
      ["Access-Control-Request-Method"] = "PUT",
      ["Access-Control-Request-Headers"] = "content-type",
    }),
    wrk.format("GET", "/", { ["Origin"] = rejected_origin }),
  }
end

function request()
  n = n % 3 + 1
  sent[n] = sent[n] + 1
  return reqs[n]
end

local function lower_headers(headers)
  local h = {}
  for k, v in pairs(headers) do h[string.lower(k)] = v end
  return h
end

local function has_vary_origin(h)
  local v = h["vary"]
  return v ~= nil and string.find(string.lower(v), "origin", 1, true) ~= nil
end

function response(status, headers, body)
  local h = lower_headers(headers)
  local acao = h["access-control-allow-origin"]
  local class = nil
  if cors_on then
    if status == 200 and acao == allowed_origin and h["access-control-allow-credentials"] == "true" and has_vary_origin(h) then
      class = "allowed"
    elseif status == 204 and acao == allowed_origin and h["access-control-allow-methods"] ~= nil and has_vary_origin(h) then
      class = "preflight"
    elseif status == 200 and acao == nil and h["access-control-allow-credentials"] == nil and has_vary_origin(h) then
      class = "rejected"
    end
  else
    if status == 200 and acao == nil then
      class = "plain"
    elseif (status == 404 or status == 405) and acao == nil then
      class = "expected_non2xx"
    end
  end
  if class == nil then
    class = "bad"
    if first_bad == "" then first_bad = tostring(status) .. " acao=" .. tostring(acao) end
  end
  got[class] = got[class] + 1
end

function done(summary, latency, requests)
  local t = { s1 = 0, s2 = 0, s3 = 0, allowed = 0, preflight = 0, rejected = 0, plain = 0, expected_non2xx = 0, bad = 0 }
  local first = ""
  for _, thread in ipairs(threads) do
    local s = thread:get("sent")
    local g = thread:get("got")
    t.s1 = t.s1 + s[1]; t.s2 = t.s2 + s[2]; t.s3 = t.s3 + s[3]
    for k, _ in pairs(g) do t[k] = t[k] + g[k] end
    local fb = thread:get("first_bad")
    if first == "" and fb ~= nil then first = fb end
  end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  -- Responses per class must match requests sent per kind, up to those still in flight
  -- when wrk stopped (at most one per connection).
  local inflight = (t.s1 + t.s2 + t.s3) - summary.requests
  local mismatch = 0
  local function off(a, b) local d = a - b; if d < 0 then d = -d end; return d end
  if cors_on then
    mismatch = off(t.s1, t.allowed) + off(t.s2, t.preflight) + off(t.s3, t.rejected)
  else
    mismatch = off(t.s1 + t.s3, t.plain) + off(t.s2, t.expected_non2xx)
  end
  if mismatch > inflight then mismatch = mismatch - inflight else mismatch = 0 end
  -- Unexpected statuses are already "bad"; the 404/405 of --no-cors preflights are not.
  local status_errors = e.status
  if not cors_on then status_errors = status_errors - t.expected_non2xx end
  local errors = socket_errors + t.bad + mismatch
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.0f p50_us=%d p99_us=%d max_us=%d errors=%d socket_errors=%d bad=%d mismatch=%d status_errors=%d non2xx=%d expected_non2xx=%d allowed=%d preflight=%d rejected=%d plain=%d first_bad=%s\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), latency.max,
    errors, socket_errors, t.bad, mismatch, status_errors, e.status, t.expected_non2xx,
    t.allowed, t.preflight, t.rejected, t.plain, first == "" and "-" or first))
end
