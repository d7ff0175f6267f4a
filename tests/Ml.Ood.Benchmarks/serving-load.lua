-- wrk script for serving-load.sh: POSTs the PNGs that `Ml.Ood.Benchmarks write-pngs FOLDER` wrote (MLOOD_PNGS, 256 of
-- them), one per request, in turn, as the .NET client (serve-load) does. Built once per thread: no per-request file I/O.
local folder = os.getenv("MLOOD_PNGS")
local path = os.getenv("MLOOD_LOAD_PATH") or "/score"
local requests = {}
local next_request = 1

function init(args)
    for i = 0, 255 do
        local file = assert(io.open(folder .. "/" .. i .. ".png", "rb"))
        local body = file:read("*all")
        file:close()
        requests[#requests + 1] = wrk.format("POST", path, { ["Content-Type"] = "image/png" }, body)
    end
end

function request()
    local r = requests[next_request]
    next_request = next_request % #requests + 1
    return r
end
