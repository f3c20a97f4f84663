;; libjpeg-turbo's YCbCr → RGBA in WebAssembly SIMD, integer for integer the same as ycc-to-rgba.ts (the reference,
;; and the fallback where WebAssembly SIMD is missing). `npm run build:wasm` (scripts/build-wasm.mjs) assembles
;; it into ycc-simd-wasm.ts; ycc-simd.test.ts checks that the committed binary is this source and converts as the
;; reference.
;;
;; The memory is laid out by the caller (ycc-simd.ts): planes, a scratch area and the RGBA output. Reads may run up
;; to 16 bytes past a chroma row (the caller leaves that much slack after the planes); every write stays inside
;; the output and the scratch area.
;;
;; Colour terms (jdcolor.c), x = Cr − 128 and z = Cb − 128, all exact for every x, z in −128…127 (the chroma
;; domain is 256 values, so the unit test checks each exhaustively):
;;   R − Y = (91881·x + 32768) >> 16  =  x + ((13175·x + 16384) >> 15)           i16x8.q15mulr_sat_s (x, 13175)
;;   B − Y = (116130·z + 32768) >> 16 =  z + ((25297·z + 16384) >> 15)           i16x8.q15mulr_sat_s (z, 25297)
;;   G − Y = (−22554·z − 46802·x + 32768) >> 16 = ((−22554·z + 18734·x + 32768) >> 16) − x   i32x4.dot_i16x8_s
;; (46802 = 65536 − 18734 keeps the constants inside i16.) Y + term is clamped to 0…255 by the saturating narrow,
;; which is libjpeg-turbo's range limit.
(module
  (memory (export "memory") 1)

  ;; One output row's chroma from chroma rows `near` (weight 3) and `far` (weight 1), h2v2_fancy_upsample (jdsample.c):
  ;; t[c] = 3·near[c] + far[c]; out[2c] = (3·t[c] + t[c−1] + 8) >> 4, out[2c+1] = (3·t[c] + t[c+1] + 7) >> 4, with
  ;; t[−1] = t[0] and t[cw] = t[cw−1]. `t` is scratch for cw + 10 i16 (t[c] at t + 2·(c + 1)), `dst` for 2·cw + 16
  ;; bytes.
  (func $upsample (param $near i32) (param $far i32) (param $cw i32) (param $t i32) (param $dst i32)
    (local $c i32) (local $p i32) (local $cur v128) (local $a v128) (local $b v128)
    (loop $sums
      (v128.store offset=2
        (i32.add (local.get $t) (i32.shl (local.get $c) (i32.const 1)))
        (i16x8.add
          (i16x8.mul (v128.load8x8_u (i32.add (local.get $near) (local.get $c))) (v128.const i16x8 3 3 3 3 3 3 3 3))
          (v128.load8x8_u (i32.add (local.get $far) (local.get $c)))))
      (br_if $sums (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 8))) (local.get $cw))))
    ;; the edge columns repeat: t[−1] = t[0], t[cw] = t[cw − 1]
    (i32.store16 (local.get $t) (i32.load16_u offset=2 (local.get $t)))
    (local.set $p (i32.add (local.get $t) (i32.shl (local.get $cw) (i32.const 1))))
    (i32.store16 offset=2 (local.get $p) (i32.load16_u (local.get $p)))
    (local.set $c (i32.const 0))
    (loop $cols
      (local.set $p (i32.add (local.get $t) (i32.shl (local.get $c) (i32.const 1))))
      (local.set $cur (i16x8.mul (v128.load offset=2 (local.get $p)) (v128.const i16x8 3 3 3 3 3 3 3 3)))
      (local.set $a
        (i16x8.shr_u
          (i16x8.add (i16x8.add (local.get $cur) (v128.load (local.get $p))) (v128.const i16x8 8 8 8 8 8 8 8 8))
          (i32.const 4)))
      (local.set $b
        (i16x8.shr_u
          (i16x8.add (i16x8.add (local.get $cur) (v128.load offset=4 (local.get $p))) (v128.const i16x8 7 7 7 7 7 7 7 7))
          (i32.const 4)))
      ;; a and b are 0…255: narrow both into one vector (a in bytes 0–7, b in 8–15), then interleave a0 b0 a1 b1 …
      (v128.store
        (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 1)))
        (i8x16.shuffle 0 8 1 9 2 10 3 11 4 12 5 13 6 14 7 15
          (i8x16.narrow_i16x8_u (local.get $a) (local.get $b))
          (i8x16.narrow_i16x8_u (local.get $a) (local.get $b))))
      (br_if $cols (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 8))) (local.get $cw)))))

  ;; n ≥ 16 pixels of one row: Y, Cb, Cr bytes → RGBA. 16 pixels a step; the last step ends at n (overlapping the one
  ;; before it, which writes the same bytes again), so nothing is read or written past the row.
  (func $convert (param $y i32) (param $u i32) (param $v i32) (param $n i32) (param $out i32)
    (local $x i32) (local $last i32)
    (local $yv v128) (local $uv v128) (local $vv v128)
    (local $ylo v128) (local $yhi v128) (local $ulo v128) (local $uhi v128) (local $vlo v128) (local $vhi v128)
    (local $r v128) (local $g v128) (local $b v128) (local $rg v128) (local $ba v128) (local $o i32)
    (local.set $last (i32.sub (local.get $n) (i32.const 16)))
    (loop $px
      (if (i32.gt_s (local.get $x) (local.get $last)) (then (local.set $x (local.get $last))))
      (local.set $yv (v128.load (i32.add (local.get $y) (local.get $x))))
      ;; Cb − 128 and Cr − 128 as signed bytes (exact: 0…255 → −128…127)
      (local.set $uv (i8x16.sub (v128.load (i32.add (local.get $u) (local.get $x))) (v128.const i8x16 128 128 128 128 128 128 128 128 128 128 128 128 128 128 128 128)))
      (local.set $vv (i8x16.sub (v128.load (i32.add (local.get $v) (local.get $x))) (v128.const i8x16 128 128 128 128 128 128 128 128 128 128 128 128 128 128 128 128)))
      (local.set $ylo (i16x8.extend_low_i8x16_u (local.get $yv)))
      (local.set $yhi (i16x8.extend_high_i8x16_u (local.get $yv)))
      (local.set $ulo (i16x8.extend_low_i8x16_s (local.get $uv)))
      (local.set $uhi (i16x8.extend_high_i8x16_s (local.get $uv)))
      (local.set $vlo (i16x8.extend_low_i8x16_s (local.get $vv)))
      (local.set $vhi (i16x8.extend_high_i8x16_s (local.get $vv)))
      (local.set $r
        (i8x16.narrow_i16x8_u
          (i16x8.add (local.get $ylo) (i16x8.add (local.get $vlo) (i16x8.q15mulr_sat_s (local.get $vlo) (v128.const i16x8 13175 13175 13175 13175 13175 13175 13175 13175))))
          (i16x8.add (local.get $yhi) (i16x8.add (local.get $vhi) (i16x8.q15mulr_sat_s (local.get $vhi) (v128.const i16x8 13175 13175 13175 13175 13175 13175 13175 13175))))))
      (local.set $b
        (i8x16.narrow_i16x8_u
          (i16x8.add (local.get $ylo) (i16x8.add (local.get $ulo) (i16x8.q15mulr_sat_s (local.get $ulo) (v128.const i16x8 25297 25297 25297 25297 25297 25297 25297 25297))))
          (i16x8.add (local.get $yhi) (i16x8.add (local.get $uhi) (i16x8.q15mulr_sat_s (local.get $uhi) (v128.const i16x8 25297 25297 25297 25297 25297 25297 25297 25297))))))
      ;; green: (Cb, Cr) pairs dotted with (−22554, 18734), + 32768, the high 16 bits of each sum (= >> 16), − x, + Y
      (local.set $g
        (i8x16.narrow_i16x8_u
          (i16x8.add
            (i16x8.sub (local.get $ylo) (local.get $vlo))
            (i8x16.shuffle 2 3 6 7 10 11 14 15 18 19 22 23 26 27 30 31
              (i32x4.add
                (i32x4.dot_i16x8_s
                  (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $ulo) (local.get $vlo))
                  (v128.const i16x8 -22554 18734 -22554 18734 -22554 18734 -22554 18734))
                (v128.const i32x4 32768 32768 32768 32768))
              (i32x4.add
                (i32x4.dot_i16x8_s
                  (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $ulo) (local.get $vlo))
                  (v128.const i16x8 -22554 18734 -22554 18734 -22554 18734 -22554 18734))
                (v128.const i32x4 32768 32768 32768 32768))))
          (i16x8.add
            (i16x8.sub (local.get $yhi) (local.get $vhi))
            (i8x16.shuffle 2 3 6 7 10 11 14 15 18 19 22 23 26 27 30 31
              (i32x4.add
                (i32x4.dot_i16x8_s
                  (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $uhi) (local.get $vhi))
                  (v128.const i16x8 -22554 18734 -22554 18734 -22554 18734 -22554 18734))
                (v128.const i32x4 32768 32768 32768 32768))
              (i32x4.add
                (i32x4.dot_i16x8_s
                  (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $uhi) (local.get $vhi))
                  (v128.const i16x8 -22554 18734 -22554 18734 -22554 18734 -22554 18734))
                (v128.const i32x4 32768 32768 32768 32768))))))
      ;; R G B A bytes: (R, G) and (B, 255) pairs, then the pairs interleaved, four pixels a store
      (local.set $o (i32.add (local.get $out) (i32.shl (local.get $x) (i32.const 2))))
      (local.set $rg (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $r) (local.get $g)))
      (local.set $ba (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $b) (v128.const i8x16 255 255 255 255 255 255 255 255 255 255 255 255 255 255 255 255)))
      (v128.store (local.get $o) (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $rg) (local.get $ba)))
      (v128.store offset=16 (local.get $o) (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $rg) (local.get $ba)))
      (local.set $rg (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $r) (local.get $g)))
      (local.set $ba (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $b) (v128.const i8x16 255 255 255 255 255 255 255 255 255 255 255 255 255 255 255 255)))
      (v128.store offset=32 (local.get $o) (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $rg) (local.get $ba)))
      (v128.store offset=48 (local.get $o) (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $rg) (local.get $ba)))
      (br_if $px (i32.lt_s (local.tee $x (i32.add (local.get $x) (i32.const 16))) (local.get $n)))))

  ;; 4:2:0: width ≥ 16 and even, height even; chroma (width/2) × (height/2). Rows row0 ≤ r < row1 (row0 < row1) are
  ;; converted, row r to out + (r − row0)·outStride. Scratch: 4·width + 64 bytes. Output row r takes chroma row r >> 1
  ;; (weight 3) and the row above it (even r) or below it (odd r), the edge row repeated.
  (func (export "h2v2")
    (param $y i32) (param $ys i32) (param $cb i32) (param $cbs i32) (param $cr i32) (param $crs i32)
    (param $w i32) (param $h i32) (param $row0 i32) (param $row1 i32) (param $out i32) (param $outStride i32) (param $scratch i32)
    (local $row i32) (local $crow i32) (local $other i32) (local $cw i32) (local $ch i32) (local $urow i32) (local $vrow i32)
    (local.set $row (local.get $row0))
    (local.set $cw (i32.shr_u (local.get $w) (i32.const 1)))
    (local.set $ch (i32.shr_u (local.get $h) (i32.const 1)))
    (local.set $urow (i32.add (local.get $scratch) (i32.add (local.get $w) (i32.const 32))))
    (local.set $vrow (i32.add (local.get $urow) (i32.add (local.get $w) (i32.const 16))))
    (loop $rows
      (local.set $crow (i32.shr_u (local.get $row) (i32.const 1)))
      (local.set $other
        (if (result i32) (i32.and (local.get $row) (i32.const 1))
          (then (select (i32.add (local.get $crow) (i32.const 1)) (local.get $crow) (i32.lt_u (i32.add (local.get $crow) (i32.const 1)) (local.get $ch))))
          (else (select (i32.sub (local.get $crow) (i32.const 1)) (i32.const 0) (i32.gt_u (local.get $crow) (i32.const 0))))))
      (call $upsample
        (i32.add (local.get $cb) (i32.mul (local.get $crow) (local.get $cbs)))
        (i32.add (local.get $cb) (i32.mul (local.get $other) (local.get $cbs)))
        (local.get $cw) (local.get $scratch) (local.get $urow))
      (call $upsample
        (i32.add (local.get $cr) (i32.mul (local.get $crow) (local.get $crs)))
        (i32.add (local.get $cr) (i32.mul (local.get $other) (local.get $crs)))
        (local.get $cw) (local.get $scratch) (local.get $vrow))
      (call $convert
        (i32.add (local.get $y) (i32.mul (local.get $row) (local.get $ys)))
        (local.get $urow) (local.get $vrow) (local.get $w)
        (i32.add (local.get $out) (i32.mul (i32.sub (local.get $row) (local.get $row0)) (local.get $outStride))))
      (br_if $rows (i32.lt_u (local.tee $row (i32.add (local.get $row) (i32.const 1))) (local.get $row1)))))

  ;; 4:4:4: width ≥ 16; the colour conversion alone, rows as h2v2 (the scratch area is not used).
  (func (export "h1v1")
    (param $y i32) (param $ys i32) (param $cb i32) (param $cbs i32) (param $cr i32) (param $crs i32)
    (param $w i32) (param $h i32) (param $row0 i32) (param $row1 i32) (param $out i32) (param $outStride i32) (param $scratch i32)
    (local $row i32)
    (local.set $row (local.get $row0))
    (loop $rows
      (call $convert
        (i32.add (local.get $y) (i32.mul (local.get $row) (local.get $ys)))
        (i32.add (local.get $cb) (i32.mul (local.get $row) (local.get $cbs)))
        (i32.add (local.get $cr) (i32.mul (local.get $row) (local.get $crs)))
        (local.get $w)
        (i32.add (local.get $out) (i32.mul (i32.sub (local.get $row) (local.get $row0)) (local.get $outStride))))
      (br_if $rows (i32.lt_u (local.tee $row (i32.add (local.get $row) (i32.const 1))) (local.get $row1)))))

  ;; RGB → RGBA (alpha 255) for decoders that give RGB (sharp in the CLI): $rows rows of $n ≥ 4 pixels, row r from
  ;; $src + r·$srcStride to $out + r·$outStride. Four pixels a step, 16 bytes read for their 12 (the caller leaves 4
  ;; readable bytes after the last row); a row's last step ends at its last pixel, overlapping the one before.
  (func (export "rgb") (param $src i32) (param $srcStride i32) (param $n i32) (param $rows i32) (param $out i32) (param $outStride i32)
    (local $row i32) (local $x i32) (local $last i32) (local $s i32) (local $o i32)
    (local.set $last (i32.sub (local.get $n) (i32.const 4)))
    (loop $lines
      (local.set $s (i32.add (local.get $src) (i32.mul (local.get $row) (local.get $srcStride))))
      (local.set $o (i32.add (local.get $out) (i32.mul (local.get $row) (local.get $outStride))))
      (local.set $x (i32.const 0))
      (loop $px
        (if (i32.gt_s (local.get $x) (local.get $last)) (then (local.set $x (local.get $last))))
        (v128.store (i32.add (local.get $o) (i32.shl (local.get $x) (i32.const 2)))
          (i8x16.shuffle 0 1 2 16 3 4 5 16 6 7 8 16 9 10 11 16
            (v128.load (i32.add (local.get $s) (i32.mul (local.get $x) (i32.const 3))))
            (v128.const i8x16 255 255 255 255 255 255 255 255 255 255 255 255 255 255 255 255)))
        (br_if $px (i32.lt_s (local.tee $x (i32.add (local.get $x) (i32.const 4))) (local.get $n))))
      (br_if $lines (i32.lt_u (local.tee $row (i32.add (local.get $row) (i32.const 1))) (local.get $rows))))))
