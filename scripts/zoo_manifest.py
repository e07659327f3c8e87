# The model zoo's fixed facts: MediaPipe npm packages, expected sha256 of each model, generated models.
"""Shared by fetch_mediapipe.py, gen_zoo.py and make_index.py (source: /work/shared/models/INVENTORY.md)."""

# npm package -> version (the versions the inventory was read from).
MEDIAPIPE_PACKAGES = {
    "@mediapipe/face_detection": "0.4.1657300184",
    "@mediapipe/face_mesh": "0.4.1657299874",
    "@mediapipe/hands": "0.4.1675469240",
    "@mediapipe/pose": "0.5.1675469404",
    "@mediapipe/selfie_segmentation": "0.1.1675465747",
}

# model name -> (npm package, sha256, size in bytes). Loose files or packed in *_packed_assets.data.
MEDIAPIPE_MODELS = {
    "face_detection_full_range": ("@mediapipe/face_detection", "99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3", 1083984),
    "face_detection_full_range_sparse": ("@mediapipe/face_detection", "671dd2f9ed11a78436fc21cc42357a803dfc6f73e9fb86541be942d5716c2dce", 680736),
    "face_detection_short_range": ("@mediapipe/face_detection", "3bc182eb9f33925d9e58b5c8d59308a760f4adea8f282370e428c51212c26633", 229032),
    "face_landmark": ("@mediapipe/face_mesh", "c603fa6149219a3e9487dc9abd7a0c24474c77263273d24868378cdf40aa26d1", 1241896),
    "face_landmark_with_attention": ("@mediapipe/face_mesh", "883b7411747bac657c30c462d305d312e9dec6adbf8b85e2f5d8d722fca9455d", 2495952),
    "hand_landmark_full": ("@mediapipe/hands", "8c026882c9ec059ce0f8e75266bee5a9a23c341a40e0000df755374d3d1b9b68", 5478688),
    "hand_landmark_lite": ("@mediapipe/hands", "d7fde8ac11f8ce03f8663775bfc323f4fc9f2a38062b4f4efa142874ef5b2a48", 2071408),
    "palm_detection_full": ("@mediapipe/hands", "2f25e740121983f68ffc05f99991d524dc0ea812134f6316a26125816941ee85", 2341280),
    "palm_detection_lite": ("@mediapipe/hands", "e9a4aaddf90dda56a87235303cf00e4c2d3fb28725f68fd88772997dac905c18", 1985440),
    "pose_detection": ("@mediapipe/pose", "a63c614bef30d35947f13be361820b1e4e3bec9cfeebf4d11216a18373108e85", 2962288),
    "pose_landmark_full": ("@mediapipe/pose", "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f", 6440512),
    "pose_landmark_heavy": ("@mediapipe/pose", "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe", 27709200),
    "pose_landmark_lite": ("@mediapipe/pose", "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61", 2819824),
    "selfie_segmentation": ("@mediapipe/selfie_segmentation", "8d13b7fae74af625c641226813616a2117bd6bca19eb3b75574621fc08557f27", 249024),
    "selfie_segmentation_landscape": ("@mediapipe/selfie_segmentation", "4aafe6223bb8dac6fac8ca8ed56852870a33051ef3f6238822d282a109962894", 249792),
}

# Models hetsched must refuse at import (custom ops it does not implement), with the reason.
EXPECT_REFUSED = {
    "face_landmark_with_attention": "custom ops TransformLandmarks, Landmarks2TransformMatrix, TransformTensorBilinear",
}

# Models with MediaPipe's custom Convolution2DTransposeBias: LiteRT runs <name>.litert.tflite instead.
CUSTOM_TRANSPOSE_MODELS = ["selfie_segmentation", "selfie_segmentation_landscape"]

# Generated models (scripts/gen_zoo.py), in generation order.
GENERATED_MODELS = ["mobilenet_v1", "mobilenet_v2", "mobilenet_v3_large", "efficientnet_b0", "resnet50", "unet_seg"]
GENERATOR_SEED = 20261123

# The only builtin ops a generated model may contain (what hetsched implements).
ALLOWED_GENERATED_OPS = {
    "ADD", "SUB", "MUL", "DIV", "AVERAGE_POOL_2D", "MAX_POOL_2D", "CONCATENATION", "CONV_2D",
    "DEPTHWISE_CONV_2D", "TRANSPOSE_CONV", "DEPTH_TO_SPACE", "DEQUANTIZE", "FULLY_CONNECTED",
    "HARD_SWISH", "LOGISTIC", "TANH", "RELU", "RELU6", "PRELU", "MEAN", "PAD", "RESHAPE",
    "RESIZE_BILINEAR", "SOFTMAX",
}
