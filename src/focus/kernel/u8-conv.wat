;; The exact integer FocusLiteNN kernel (u8-kernel.ts): the 7×7 stride-5 convolution of one 235×235 patch and the
;; minimum of its 47×47 map, in integers, as the 'u8' ONNX graph computes it with MatMulInteger
;; (src/tools/model/onnx-builder.ts). An output's 21 (colour, kernel row) terms are written out, not looped.
;; `npm run build:wasm` assembles this file into u8-conv-wasm.ts.
;;
;; Memory (one exported memory, grown by the caller for the image; u8-kernel.ts holds the same offsets):
;;   WEIGHTS  at 0:      kernel k, colour c, kernel row r → 8 × i16 (the 7 weights as integers, then 0) at ((k·3+c)·7+r)·16
;;   TABLE    at 65536:  256 bytes, byte → byte for the patch being filled (identity without normalisation)
;;   MINS     at 65792:  i32 per kernel, the minimum of the integer map
;;   PLANES   at 66048:  3 planes of 240×240 bytes: the patch with one zero row and column before it (the conv's
;;                       padding) and zeros after; fill writes rows and columns 1…235 only (and re-zeroes column 236)
;;   OD       at 260096: 256 × f64, the optical density of each byte value (stain-density.ts), written by the caller
;;   IMAGE    at 262144: the caller's pixels (RGB or RGBA rows)
(module
  (memory (export "memory") 5)

  ;; Copies the 235×235 patch whose top-left pixel is at $src (rows $rowBytes apart, $channels bytes per pixel,
  ;; red first) into the three planes, each byte mapped through TABLE. (RGBA: see fillRgba.)
  (func (export "fill") (param $src i32) (param $rowBytes i32) (param $channels i32)
    (local $row i32) (local $p i32) (local $end i32) (local $dst i32)
    (if (i32.eq (local.get $channels) (i32.const 4))
      (then
        (call $fillRgba (local.get $src) (local.get $rowBytes))
        (return)))
    (local.set $dst (i32.const 66289))
    (loop $rows
      (local.set $p (i32.add (local.get $src) (i32.mul (local.get $row) (local.get $rowBytes))))
      (local.set $end (i32.add (local.get $p) (i32.mul (local.get $channels) (i32.const 235))))
      (loop $cols
        (i32.store8 (local.get $dst) (i32.load8_u offset=65536 (i32.load8_u (local.get $p))))
        (i32.store8 offset=57600 (local.get $dst) (i32.load8_u offset=65536 (i32.load8_u offset=1 (local.get $p))))
        (i32.store8 offset=115200 (local.get $dst) (i32.load8_u offset=65536 (i32.load8_u offset=2 (local.get $p))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
        (local.set $p (i32.add (local.get $p) (local.get $channels)))
        (br_if $cols (i32.lt_u (local.get $p) (local.get $end))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 5)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $row) (i32.const 235)))))

  ;; RGBA: four pixels a step, one word stored per plane; the step past the patch's last column writes padding column
  ;; 236, which is zeroed again after the row. (The caller leaves 16 readable bytes after the image for that step.)
  ;; Bytes are loaded one by one: faster here than one vector load and lane extractions, or than table lookups by
  ;; swizzles (a one-off microbenchmark in Node).
  (func $fillRgba (param $src i32) (param $rowBytes i32)
    (local $row i32) (local $p i32) (local $end i32) (local $dst i32)
    (local.set $dst (i32.const 66289))
    (loop $rows
      (local.set $p (i32.add (local.get $src) (i32.mul (local.get $row) (local.get $rowBytes))))
      (local.set $end (i32.add (local.get $p) (i32.const 940)))
      (loop $quads
        (i32.store (local.get $dst) (i32.or (i32.or (i32.load8_u offset=65536 (i32.load8_u offset=0 (local.get $p))) (i32.shl (i32.load8_u offset=65536 (i32.load8_u offset=4 (local.get $p))) (i32.const 8))) (i32.or (i32.shl (i32.load8_u offset=65536 (i32.load8_u offset=8 (local.get $p))) (i32.const 16)) (i32.shl (i32.load8_u offset=65536 (i32.load8_u offset=12 (local.get $p))) (i32.const 24)))))
        (i32.store offset=57600 (local.get $dst) (i32.or (i32.or (i32.load8_u offset=65536 (i32.load8_u offset=1 (local.get $p))) (i32.shl (i32.load8_u offset=65536 (i32.load8_u offset=5 (local.get $p))) (i32.const 8))) (i32.or (i32.shl (i32.load8_u offset=65536 (i32.load8_u offset=9 (local.get $p))) (i32.const 16)) (i32.shl (i32.load8_u offset=65536 (i32.load8_u offset=13 (local.get $p))) (i32.const 24)))))
        (i32.store offset=115200 (local.get $dst) (i32.or (i32.or (i32.load8_u offset=65536 (i32.load8_u offset=2 (local.get $p))) (i32.shl (i32.load8_u offset=65536 (i32.load8_u offset=6 (local.get $p))) (i32.const 8))) (i32.or (i32.shl (i32.load8_u offset=65536 (i32.load8_u offset=10 (local.get $p))) (i32.const 16)) (i32.shl (i32.load8_u offset=65536 (i32.load8_u offset=14 (local.get $p))) (i32.const 24)))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br_if $quads (i32.lt_u (local.get $p) (local.get $end))))
      (local.set $dst (i32.sub (local.get $dst) (i32.const 1)))
      (i32.store8 (local.get $dst) (i32.const 0))
      (i32.store8 offset=57600 (local.get $dst) (i32.const 0))
      (i32.store8 offset=115200 (local.get $dst) (i32.const 0))
      (local.set $dst (i32.add (local.get $dst) (i32.const 5)))
      (br_if $rows (i32.lt_u (local.tee $row (i32.add (local.get $row) (i32.const 1))) (i32.const 235)))))

  ;; Σ (OD[R] + OD[G] + OD[B]) over $rows rows of $n pixels from $src (rows $rowBytes apart, $channels bytes per
  ;; pixel, red first): a rectangle of the patch density sums (stain-density.ts, which allows any order of addition).
  ;; Two running sums, alternate pixels, so each addition waits on the one two pixels back.
  (func (export "odSum") (param $src i32) (param $rowBytes i32) (param $n i32) (param $rows i32) (param $channels i32) (result f64)
    (local $row i32) (local $p i32) (local $end i32) (local $pairEnd i32) (local $a f64) (local $b f64)
    (if (i32.or (i32.eqz (local.get $n)) (i32.eqz (local.get $rows))) (then (return (f64.const 0))))
    (loop $lines
      (local.set $p (i32.add (local.get $src) (i32.mul (local.get $row) (local.get $rowBytes))))
      (local.set $end (i32.add (local.get $p) (i32.mul (local.get $n) (local.get $channels))))
      (local.set $pairEnd (i32.sub (local.get $end) (local.get $channels)))
      (block $done
        (loop $pairs
          (br_if $done (i32.ge_u (local.get $p) (local.get $pairEnd)))
          (local.set $a (f64.add (local.get $a)
            (f64.add
              (f64.add
                (f64.load offset=260096 (i32.shl (i32.load8_u (local.get $p)) (i32.const 3)))
                (f64.load offset=260096 (i32.shl (i32.load8_u offset=1 (local.get $p)) (i32.const 3))))
              (f64.load offset=260096 (i32.shl (i32.load8_u offset=2 (local.get $p)) (i32.const 3))))))
          (local.set $p (i32.add (local.get $p) (local.get $channels)))
          (local.set $b (f64.add (local.get $b)
            (f64.add
              (f64.add
                (f64.load offset=260096 (i32.shl (i32.load8_u (local.get $p)) (i32.const 3)))
                (f64.load offset=260096 (i32.shl (i32.load8_u offset=1 (local.get $p)) (i32.const 3))))
              (f64.load offset=260096 (i32.shl (i32.load8_u offset=2 (local.get $p)) (i32.const 3))))))
          (local.set $p (i32.add (local.get $p) (local.get $channels)))
          (br $pairs)))
      ;; an odd pixel count leaves one
      (if (i32.lt_u (local.get $p) (local.get $end))
        (then
          (local.set $a (f64.add (local.get $a)
            (f64.add
              (f64.add
                (f64.load offset=260096 (i32.shl (i32.load8_u (local.get $p)) (i32.const 3)))
                (f64.load offset=260096 (i32.shl (i32.load8_u offset=1 (local.get $p)) (i32.const 3))))
              (f64.load offset=260096 (i32.shl (i32.load8_u offset=2 (local.get $p)) (i32.const 3))))))))
      (br_if $lines (i32.lt_u (local.tee $row (i32.add (local.get $row) (i32.const 1))) (local.get $rows))))
    (f64.add (local.get $a) (local.get $b)))

  ;; For each of $kernels kernels: the minimum over the 47×47 outputs of Σ weight × pixel, output (i, j) reading
  ;; padded rows 5i…5i+6 and columns 5j…5j+6 (8 bytes are read; the eighth weight is 0). Written to MINS. Each
  ;; output's 21 rows are loaded once for all kernels.
  (func (export "conv") (param $kernels i32)
    (local $k i32) (local $i i32) (local $j i32) (local $base i32) (local $w i32) (local $m i32)
    (local $acc v128) (local $sum i32) (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128) (local $p4 v128) (local $p5 v128) (local $p6 v128) (local $p7 v128) (local $p8 v128) (local $p9 v128) (local $p10 v128) (local $p11 v128) (local $p12 v128) (local $p13 v128) (local $p14 v128) (local $p15 v128) (local $p16 v128) (local $p17 v128) (local $p18 v128) (local $p19 v128) (local $p20 v128)
    (loop $init
      (i32.store offset=65792 (i32.shl (local.get $k) (i32.const 2)) (i32.const 0x7fffffff))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $init (i32.lt_u (local.get $k) (local.get $kernels))))
    (loop $outRows
      (local.set $base (i32.mul (local.get $i) (i32.const 1200)))
      (local.set $j (i32.const 0))
      (loop $outCols
        (local.set $p0 (v128.load8x8_u offset=66048 (local.get $base)))
        (local.set $p1 (v128.load8x8_u offset=66288 (local.get $base)))
        (local.set $p2 (v128.load8x8_u offset=66528 (local.get $base)))
        (local.set $p3 (v128.load8x8_u offset=66768 (local.get $base)))
        (local.set $p4 (v128.load8x8_u offset=67008 (local.get $base)))
        (local.set $p5 (v128.load8x8_u offset=67248 (local.get $base)))
        (local.set $p6 (v128.load8x8_u offset=67488 (local.get $base)))
        (local.set $p7 (v128.load8x8_u offset=123648 (local.get $base)))
        (local.set $p8 (v128.load8x8_u offset=123888 (local.get $base)))
        (local.set $p9 (v128.load8x8_u offset=124128 (local.get $base)))
        (local.set $p10 (v128.load8x8_u offset=124368 (local.get $base)))
        (local.set $p11 (v128.load8x8_u offset=124608 (local.get $base)))
        (local.set $p12 (v128.load8x8_u offset=124848 (local.get $base)))
        (local.set $p13 (v128.load8x8_u offset=125088 (local.get $base)))
        (local.set $p14 (v128.load8x8_u offset=181248 (local.get $base)))
        (local.set $p15 (v128.load8x8_u offset=181488 (local.get $base)))
        (local.set $p16 (v128.load8x8_u offset=181728 (local.get $base)))
        (local.set $p17 (v128.load8x8_u offset=181968 (local.get $base)))
        (local.set $p18 (v128.load8x8_u offset=182208 (local.get $base)))
        (local.set $p19 (v128.load8x8_u offset=182448 (local.get $base)))
        (local.set $p20 (v128.load8x8_u offset=182688 (local.get $base)))
        (local.set $k (i32.const 0))
        (loop $kernel
          (local.set $w (i32.mul (local.get $k) (i32.const 336)))
          (local.set $acc (v128.const i32x4 0 0 0 0))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p0) (v128.load offset=0 (local.get $w)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p1) (v128.load offset=16 (local.get $w)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p2) (v128.load offset=32 (local.get $w)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p3) (v128.load offset=48 (local.get $w)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p4) (v128.load offset=64 (local.get $w)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p5) (v128.load offset=80 (local.get $w)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p6) (v128.load offset=96 (local.get $w)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p7) (v128.load offset=112 (local.get $w)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p8) (v128.load offset=128 (local.get $w)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p9) (v128.load offset=144 (local.get $w)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p10) (v128.load offset=160 (local.get $w)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p11) (v128.load offset=176 (local.get $w)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p12) (v128.load offset=192 (local.get $w)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p13) (v128.load offset=208 (local.get $w)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p14) (v128.load offset=224 (local.get $w)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p15) (v128.load offset=240 (local.get $w)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p16) (v128.load offset=256 (local.get $w)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p17) (v128.load offset=272 (local.get $w)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p18) (v128.load offset=288 (local.get $w)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p19) (v128.load offset=304 (local.get $w)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $p20) (v128.load offset=320 (local.get $w)))))
          ;; Sum of the four lanes, then the kernel's running minimum.
          (local.set $acc (i32x4.add (local.get $acc) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $acc) (local.get $acc))))
          (local.set $sum (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc))))
          (local.set $m (i32.shl (local.get $k) (i32.const 2)))
          (if (i32.lt_s (local.get $sum) (i32.load offset=65792 (local.get $m)))
            (then (i32.store offset=65792 (local.get $m) (local.get $sum))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $kernel (i32.lt_u (local.get $k) (local.get $kernels))))
        (local.set $base (i32.add (local.get $base) (i32.const 5)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $outCols (i32.lt_u (local.get $j) (i32.const 47))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outRows (i32.lt_u (local.get $i) (i32.const 47))))))
