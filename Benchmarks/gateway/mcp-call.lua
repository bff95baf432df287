-- wrk script for Benchmarks/gateway/run.sh: every request is the MCP call tools/call add(2, 3)
-- over Streamable HTTP. MCP_SESSION_ID (optional) is sent as Mcp-Session-Id: the Tidepool
-- gateway terminates sessions and needs one; stateless servers ignore it.
--
-- A response counts as an error when its status is not 200, or when its body holds a JSON-RPC
-- "error" member. done() prints one machine-readable line that run.sh reads:
--   mcp_bench non200=N rpc_errors=N checked=N
-- (wrk's own socket errors, i.e. connect/read/write/timeout, are on its "Socket errors" line.)

wrk.method = "POST"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3}}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2025-06-18"
local session = os.getenv("MCP_SESSION_ID")
if session ~= nil and session ~= "" then
   wrk.headers["Mcp-Session-Id"] = session
end

-- Each wrk thread has its own Lua state: setup() keeps the thread objects so that done(),
-- which runs in the main state, can add up their counters.
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   non200 = 0
   rpc_errors = 0
   checked = 0
   first_bad = ""
end

function response(status, headers, body)
   checked = checked + 1
   if status ~= 200 then
      non200 = non200 + 1
      if first_bad == "" then first_bad = "HTTP " .. status .. " " .. string.sub(body or "", 1, 300) end
   elseif body == nil or string.find(body, '"error"', 1, true) then
      rpc_errors = rpc_errors + 1
      if first_bad == "" then first_bad = string.sub(body or "(no body)", 1, 300) end
   end
end

function done(summary, latency, requests)
   local total_non200, total_rpc, total_checked, sample = 0, 0, 0, ""
   for _, thread in ipairs(threads) do
      total_non200 = total_non200 + (thread:get("non200") or 0)
      total_rpc = total_rpc + (thread:get("rpc_errors") or 0)
      total_checked = total_checked + (thread:get("checked") or 0)
      local bad = thread:get("first_bad")
      if sample == "" and bad ~= nil and bad ~= "" then sample = bad end
   end
   io.write(string.format("mcp_bench non200=%d rpc_errors=%d checked=%d\n", total_non200, total_rpc, total_checked))
   if sample ~= "" then
      io.write("mcp_bench first_error: " .. string.gsub(sample, "[\r\n]", " ") .. "\n")
   end
end
