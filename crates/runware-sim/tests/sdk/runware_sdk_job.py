"""Runs one two-frame klingai:5@2 videoInference job with Runware's own Python SDK
(PyPI `runware-sdk`, unmodified) against a running runware-sim, over REST and over WebSocket.

    python runware_sdk_job.py --url http://127.0.0.1:PORT --api-key KEY

The SDK picks its transport from `transport` ("rest" or "websocket", the default) and its
endpoints from `http_base_url` and `ws_base_url`. With `deliveryMethod: "async"` (the SDK's
default) it submits, reads the acknowledgement and polls `getResponse` until the video is there,
on both transports. Each case also downloads the video and asks `getTaskDetails` about the job.

Prints one line per case and closes with `N passed, M failed`; exits 1 when a case failed.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import struct
import sys
import time
import traceback
import urllib.request
import zlib

from runware import Runware, RunOptions

MODEL = "klingai:5@2"


def png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    """An RGB PNG: a left-to-right gradient from black to `colour`, with a light stripe, so the
    two frames differ and the video visibly moves from one to the other."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        stripe = height // 3 <= y < height // 3 + height // 10
        for x in range(width):
            if stripe:
                rows += b"\xf0\xf0\xf0"
            else:
                rows += bytes(c * x // (width - 1) for c in colour)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 6))
        + chunk(b"IEND", b"")
    )


def data_uri(image: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(image).decode("ascii")


FIRST = data_uri(png(640, 360, (40, 120, 250)))
LAST = data_uri(png(640, 360, (250, 140, 30)))


def job() -> dict[str, object]:
    return {
        "taskType": "videoInference",
        "model": MODEL,
        "positivePrompt": "the camera drifts from a blue dawn into an orange dusk",
        "inputs": {
            "frameImages": [
                {"image": FIRST, "frame": "first"},
                {"image": LAST, "frame": "last"},
            ]
        },
        "width": 1280,
        "height": 720,
        "duration": 5,
        "includeCost": True,
    }


def check(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(what)


async def run_case(transport: str, url: str, api_key: str) -> str:
    progress: list[float] = []
    options = RunOptions(
        timeout=180_000,
        on_progress=lambda item: progress.append(float(item["progress"])),
    )
    client = Runware(
        api_key=api_key,
        transport=transport,
        http_base_url=f"{url}/v1",
        ws_base_url=url.replace("http://", "ws://", 1) + "/v1",
        max_retries=1,
    )
    started = time.monotonic()
    async with client:
        results = await client.run(job(), options)
        check(len(results) == 1, f"one result expected, got {results!r}")
        result = results[0]
        task_uuid = result.get("taskUUID")
        check(result.get("status") == "success", f"not a success: {result!r}")
        check(isinstance(result.get("videoUUID"), str), f"no videoUUID: {result!r}")
        check(isinstance(result.get("seed"), int), f"no seed: {result!r}")
        check(isinstance(result.get("cost"), (int, float)), f"no cost: {result!r}")
        check(progress == sorted(progress), f"progress fell: {progress}")
        check(all(0 <= p <= 99 for p in progress), f"progress out of range: {progress}")

        details = await client.get_task_details({"taskUUID": task_uuid})
        check(len(details) == 1, f"one task-details item expected, got {details!r}")
        record = details[0]
        request = record.get("request") or {}
        check(request.get("model") == MODEL, f"request not kept: {request!r}")
        frames = request.get("inputs", {}).get("frameImages", [])
        check(
            [f.get("frame") for f in frames] == ["first", "last"],
            f"frames not kept: {[f.get('frame') for f in frames]}",
        )
        response = record.get("response") or {}
        check(
            [i.get("videoUUID") for i in response.get("data", [])] == [result["videoUUID"]],
            f"response does not hold the video: {response!r}",
        )

    with urllib.request.urlopen(result["videoURL"], timeout=30) as reply:
        video = reply.read()
        kind = reply.headers.get("Content-Type")
    check(kind == "video/mp4", f"Content-Type {kind}")
    check(len(video) > 10_000 and video[4:8] == b"ftyp", "the video is not an MP4 file")
    seconds = time.monotonic() - started
    shown = ", ".join(f"{p:.0f}" for p in progress) or "none seen"
    return (
        f"{task_uuid} in {seconds:.1f} s, {len(video)} bytes, "
        f"seed {result['seed']}, cost {result['cost']}, progress {shown}"
    )


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the simulator, e.g. http://127.0.0.1:8787")
    parser.add_argument("--api-key", required=True)
    args = parser.parse_args()
    passed = failed = 0
    for transport in ("rest", "websocket"):
        try:
            summary = await run_case(transport, args.url.rstrip("/"), args.api_key)
        except Exception as error:  # a case reports any failure and the next one still runs
            failed += 1
            print(f"FAIL {transport}: {type(error).__name__}: {error}", flush=True)
            traceback.print_exc()
        else:
            passed += 1
            print(f"ok   {transport}: {summary}", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
