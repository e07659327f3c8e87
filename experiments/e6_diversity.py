"""E6 model diversity: each model's structural features (depthwise share of the MACs, mean and
maximum output channels, input resolution, depth in ops, MACs, parameter and activation bytes,
MACs per byte), from `hetsched info --json`. The report joins them with E1's co-execution gain
(E1 must have run on the same models) and ranks the features by rank correlation with the gain."""
import measure

NAME, TITLE = "E6", "model diversity"
KEY = ["model"]
COLUMNS = KEY + ["ops", "macs", "depthwise_mac_share", "conv_ops", "mean_channels", "max_channels", "resolution",
                 "param_bytes", "activation_bytes", "macs_per_byte", "status"]


def configs(ctx):
    return [{"model": m} for m in ctx.models]


def features(info):
    ops = info["ops"]
    macs = sum(o.get("macs", 0) for o in ops) or 1
    dw = sum(o.get("macs", 0) for o in ops if o["type"] == "DEPTHWISE_CONV_2D")
    convs = [o for o in ops if o["type"] in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "TRANSPOSE_CONV")]
    chans = [o["output_shape"][-1] for o in convs if o.get("output_shape")]
    shape = info["inputs"][0]["shape"] if info.get("inputs") else []
    res = shape[1] if len(shape) == 4 else (shape[-1] if shape else 0)
    pbytes, abytes = info.get("parameter_bytes", 0), info.get("activation_bytes", 0)
    return {"ops": len(ops), "macs": macs, "depthwise_mac_share": round(dw / macs, 4), "conv_ops": len(convs),
            "mean_channels": round(sum(chans) / len(chans), 1) if chans else 0, "max_channels": max(chans, default=0),
            "resolution": res, "param_bytes": pbytes, "activation_bytes": abytes,
            "macs_per_byte": round(macs / max(1, pbytes + abytes), 3)}


def measure_config(ctx, cfg):
    info = measure.cli_json(ctx.binary, ["info", ctx.model_path(cfg["model"])])
    return [dict(cfg, status="ok", **features(info))]
