/**
 * Ed25519 signature verification (RFC 8032 section 5.1.7), with the strict policy of
 * @noble/ed25519 verify(sig, msg, pub, { zip215: false }):
 *  - S must be canonical (S < L);
 *  - A and R must be canonical encodings (y < p) of curve points, and the encoding
 *    x = 0 with the sign bit set is rejected;
 *  - A must not be of small order ([8]A != identity);
 *  - the group equation is checked with the cofactor: [8]([S]B - R - [k]A) == identity,
 *    k = SHA-512(R || A || M) mod L.
 * Variable time (verification handles public data only).
 *
 * Half-size scalars: extended Euclid on (L, k) gives c = d k (mod L) with |c|, |d| < 2^127
 * (scHalfSize). Multiplying the equation by d (invertible mod L; [8] maps every point
 * into the order-L subgroup) gives the equivalent check
 *   [8]([e]B - [c]A - [d]R) == identity,  e = d S mod L,
 * whose four scalars (e split as e0 + 2^128 e1) are all about 128 bits: one interleaved
 * double-and-add of ~128 doublings instead of ~253 (T. Pornin, ePrint 2020/454).
 *
 * Points use the ref10 representations: P2 (X:Y:Z), P3 (X:Y:Z:T) with XY = ZT,
 * P1P1 ((X:Z),(Y:T)) and Precomp, with their straight-line formulas, come from
 * edwards25519.ts (shared with the signer); Cached (Y+X, Y-X, Z, 2dT) and its addition
 * are verification's own. e0 and e1 use width-7 NAF digits with constant tables of B,
 * 3B, .., 63B and of the same multiples of 2^128 B (affine (y+x, y-x, 2dxy) form,
 * Precomp); c and d use width-5 NAF digits with tables of 1, 3, .., 15 times -A and -R
 * built per call. No module state: everything (~5.5 KB) is on the stack.
 */
import { u8, u32, i32, i8, bool, array, arrayOf, slice, structs, u64 } from "kts";
import {
  Fe, feAdd, feCarry, feCopy, feIsNegative, feIsZero, feLoad, feMul, feNeg, feOne, feSq,
  feSub, feZero, fePow22523, feFromBytes,
} from "./field25519";
import { P1P1, P2, P3, Precomp, dbl, madd, msub, p1p1ToP2, p1p1ToP3 } from "./edwards25519";
import { scHalfSize, scIsCanonical, scMulShort, scReduce64, scWnaf } from "./scalar25519";
import { Sha512 } from "./sha512";

/** d = -121665/121666, 2d and sqrt(-1), in radix 2^51. */
const CONSTS: u64[] = arrayOf([
  0x34dca135978a3n, 0x1a8283b156ebdn, 0x5e7a26001c029n, 0x739c663a03cbbn, 0x52036cee2b6ffn,
  0x69b9426b2f159n, 0x35050762add7an, 0x3cf44c0038052n, 0x6738cc7407977n, 0x2406d9dc56dffn,
  0x61b274a0ea0b0n, 0xd5a5fc8f189dn, 0x7ef5e9cbd0c60n, 0x78595a6804c9en, 0x2b8324804fc1dn,
]);
const OFF_D = 0;
const OFF_D2 = 5;
const OFF_SQRTM1 = 10;

/** (2i+1)B for i in 0..32 as (y+x, y-x, 2dxy), 15 limbs per entry. */
const BASE_ODD: u64[] = arrayOf([
  0x493c6f58c3b85n, 0xdf7181c325f7n, 0xf50b0b3e4cb7n, 0x5329385a44c32n, 0x7cf9d3a33d4bn,
  0x3905d740913en, 0xba2817d673a2n, 0x23e2827f4e67cn, 0x133d2e0c21a34n, 0x44fd2f9298f81n,
  0x11205877aaa68n, 0x479955893d579n, 0x50d66309b67a0n, 0x2d42d0dbee5een, 0x6f117b689f0c6n,
  0x5b0a84cee9730n, 0x61d10c97155e4n, 0x4059cc8096a10n, 0x47a608da8014fn, 0x7a164e1b9a80fn,
  0x11fe8a4fcd265n, 0x7bcb8374faaccn, 0x52f5af4ef4d4fn, 0x5314098f98d10n, 0x2ab91587555bdn,
  0x6933f0dd0d889n, 0x44386bb4c4295n, 0x3cb6d3162508cn, 0x26368b872a2c6n, 0x5a2826af12b9bn,
  0x2bc4408a5bb33n, 0x78ebdda05442n, 0x2ffb112354123n, 0x375ee8df5862dn, 0x2945ccf146e20n,
  0x182c3a447d6ban, 0x22964e536eff2n, 0x192821f540053n, 0x2f9f19e788e5cn, 0x154a7e73eb1b5n,
  0x3dbf1812a8285n, 0xfa17ba3f9797n, 0x6f69cb49c3820n, 0x34d5a0db3858dn, 0x43aabe696b3bbn,
  0x25cd0944ea3bfn, 0x75673b81a4d63n, 0x150b925d1c0d4n, 0x13f38d9294114n, 0x461bea69283c9n,
  0x72c9aaa3221b1n, 0x267774474f74dn, 0x64b0e9b28085n, 0x3f04ef53b27c9n, 0x1d6edd5d2e531n,
  0x36dc801b8b3a2n, 0xe0a7d4935e30n, 0x1deb7cecc0d7dn, 0x53a94e20dd2cn, 0x7a9fbb1c6a0f9n,
  0x6678aa6a8632fn, 0x5ea3788d8b365n, 0x21bd6d6994279n, 0x7ace75919e4e3n, 0x34b9ed338add7n,
  0x6217e039d8064n, 0x6dea408337e6dn, 0x57ac112628206n, 0x647cb65e30473n, 0x49c05a51fadc9n,
  0x4e8bf9045af1bn, 0x514e33a45e0d6n, 0x7533c5b8bfe0fn, 0x583557b7e14c9n, 0x73c172021b008n,
  0x700848a802aden, 0x1e04605c4e5f7n, 0x5c0d01b9767fbn, 0x7d7889f42388bn, 0x4275aae2546d8n,
  0x75b0249864348n, 0x52ee11070262bn, 0x237ae54fb5acdn, 0x3bfd1d03aaab5n, 0x18ab598029d5cn,
  0x32cc5fd6089e9n, 0x426505c949b05n, 0x46a18880c7ad2n, 0x4a4221888ccdan, 0x3dc65522b53dfn,
  0xc222a2007f6dn, 0x356b79bdb77een, 0x41ee81efe12cen, 0x120a9bd07097dn, 0x234fd7eec346fn,
  0x7013b327fbf93n, 0x1336eeded6a0dn, 0x2b565a2bbf3afn, 0x253ce89591955n, 0x267882d17602n,
  0xa119732ea378n, 0x63bf1ba8e2a6cn, 0x69f94cc90df9an, 0x431d1779bfc48n, 0x497ba6fdaa097n,
  0x6cc0313cfeaa0n, 0x1a313848da499n, 0x7cb534219230an, 0x39596dedefd60n, 0x61e22917f12den,
  0x3cd86468ccf0bn, 0x48553221ac081n, 0x6c9464b4e0a6en, 0x75fba84180403n, 0x43b5cd4218d05n,
  0x2762f9bd0b516n, 0x1c6e7fbddcbb3n, 0x75909c3ace2bdn, 0x42101972d3ec9n, 0x511d61210ae4dn,
  0x676ef950e9d81n, 0x1b81ae089f258n, 0x63c4922951883n, 0x2f1d54d9b3237n, 0x6d325924ddb85n,
  0x386484420de87n, 0x2d6b25db68102n, 0x650b4962873c0n, 0x4081cfd271394n, 0x71a7fe6fe2482n,
  0x182b8a5c8c854n, 0x73fcbe5406d8en, 0x5de3430cff451n, 0x554b967ac8c41n, 0x4746c4b6559een,
  0x77b3c6dc69a2bn, 0x4edf13ec2fa6en, 0x4e85ad77beac8n, 0x7dba2b28e7bdan, 0x5c9a51de34fe9n,
  0x546c864741147n, 0x3a1df99092690n, 0x1ca8cc9f4d6bbn, 0x36b7fc9cd3b03n, 0x219663497db5en,
  0xf1cf79f10e67n, 0x43ccb0a2b7ea2n, 0x5089dfff776an, 0x1dd84e1d38b88n, 0x4804503c60822n,
  0x49ed02ca37fc7n, 0x474c2b5957884n, 0x5b8388e816683n, 0x4b6c454b76be4n, 0x553398a516506n,
  0x21d23a36d175n, 0x4fd3373c6476dn, 0x20e291eeed02an, 0x62f2ecf2e7210n, 0x771e098858de4n,
  0x2f5d278451edfn, 0x730b133997342n, 0x6965420eb6975n, 0x308a3bfa516cfn, 0x5a5ed1d68ff5an,
  0x5122afe150e83n, 0x4afc966bb0232n, 0x1c478833c8268n, 0x17839c3fc148fn, 0x44acb897d8bf9n,
  0x5e0c558527359n, 0x3395b73afd75cn, 0x72afa4e4b970n, 0x62214329e0f6dn, 0x19b60135fefdn,
  0x68145e134b83n, 0x1e4860982c3ccn, 0x68fb5f13d799n, 0x7c9283744547en, 0x150c49fde6ad2n,
  0x3f29509471138n, 0x729eeb4ca31cfn, 0x69c22b575bfbcn, 0x4910857bce212n, 0x6b2b5a075bb99n,
  0x1863c9cdca868n, 0x3770e295a1709n, 0xd85a3720fd13n, 0x5e0ff1f71ab06n, 0x78a6d7791e05fn,
  0x7704b47a0b976n, 0x2ae82e91aab17n, 0x50bd6429806cdn, 0x68055158fd8ean, 0x725c7ffc4ad55n,
  0x26715d1cf99b2n, 0x2205441a69c88n, 0x448427dcd4b54n, 0x1d191e88abdc5n, 0x794cc9277cb1fn,
  0x2bf71cd098c0n, 0x49dabcc6cd230n, 0x40a6533f905b2n, 0x573efac2eb8a4n, 0x4cd54625f855fn,
  0x6c426c2ac5053n, 0x5a65ece4b095en, 0xc44086f26bb6n, 0x7429568197885n, 0x7008357b6fcc8n,
  0x672738773f01n, 0x752bf799f6171n, 0x6b4a6dae33323n, 0x7b54696ead1dcn, 0x6ef7e9851ad0n,
  0x39fbb82584a34n, 0x47a568f257a03n, 0x14d88091ead91n, 0x2145b18b1ce24n, 0x13a92a3669d6dn,
  0x3771cc0577de5n, 0x3ca06bb8b9952n, 0xb81c5d50390n, 0x43512340780ecn, 0x3c296ddf8a2afn,
  0x515f9d914a713n, 0x73191ff2255d5n, 0x54f5cc2a4bdefn, 0x3dd57fc118bcfn, 0x7a99d393490c7n,
  0x34d2ebb1f2541n, 0xe815b723ff9dn, 0x286b416e25443n, 0xbdfe38d1bee8n, 0xa892c7007477n,
  0x2ed2436bda3e8n, 0x2afd00f291ean, 0xbe7381dea321n, 0x3e952d4b2b193n, 0x286762d28302fn,
  0x36093ce35b25n, 0x3b64d7552e9cfn, 0x71ee0fe0b8460n, 0x69d0660c969e5n, 0x32f1da046a9d9n,
  0x58e2bce2ef5bdn, 0x68ce8f78c6f8an, 0x6ee26e39261b2n, 0x33d0aa50bcf9dn, 0x7686f2a3d6f17n,
  0x512a66d597c6an, 0x609a70a57551n, 0x26c08a3c464cn, 0x4531fc8ee39e1n, 0x561305f8a9ad2n,
  0x4978dec92aed1n, 0x69adae7ca201n, 0x11ee923290f55n, 0x69641898d916cn, 0xaaec53e35d4n,
  0x2cc28e7b0c0d5n, 0x77b60eb8a6ce4n, 0x4042985c277a6n, 0x636657b46d3ebn, 0x30a1aef2c57cn,
  0x1f773003ad2aan, 0x5642cc10f76n, 0x3b48f82cfca6n, 0x2403c10ee4329n, 0x20be9c1c24065n,
  0x387d8249673a6n, 0x5bea8dc927c2an, 0x5bd8ed5650ef0n, 0xef0e3fcd40e1n, 0x750ab3361f0acn,
  0xe44ae2025e60n, 0x5f97b9727041cn, 0x5683472c0ececn, 0x188882eb1ce7cn, 0x69764c545067en,
  0x23283a2f81037n, 0x477aff97e23d1n, 0xb8958dbcbb68n, 0x205b97e8add6n, 0x54f96b3fb7075n,
  0x5f20429669279n, 0x8fafae4941f5n, 0x15d83c4eb7688n, 0x1cf379eca4146n, 0x3d7fe9c52bb75n,
  0x5afc616b11ecdn, 0x39f4aec8f22efn, 0x3b39e1625d92en, 0x5f85bd4508873n, 0x78e6839fbe85dn,
  0x32df737b8856bn, 0x608342f14e06n, 0x3967889d74175n, 0x1211907fba550n, 0x70f268f350088n,
  0x64583b1805f47n, 0x22c1baf832cd0n, 0x132c01bd4d717n, 0x4ecf4c3a75b8fn, 0x7c0d345cfad88n,
  0x4112070dcf355n, 0x7dcff9c22e464n, 0x54ada60e03325n, 0x25cd98eef769an, 0x404e56c039b8cn,
  0x71f4b8c78338an, 0x62cfc16bc2b23n, 0x17cf51280d9aan, 0x3bbae5e20a95an, 0x20d754762aaecn,
  0x7c36fc73bb758n, 0x4a6c797734bd1n, 0xef248ab3950en, 0x63154c9a53ec8n, 0x2b8f1e46f3ceen,
  0x4feb135b9f543n, 0x63bd192ad93aen, 0x44e2ea612cdf7n, 0x670f4991583abn, 0x38b8ada8790b4n,
  0x4a9cdf51f95dn, 0x5d963fbd596b8n, 0x22d9b68ace54an, 0x4a98e8836c599n, 0x49aeb32ceba1n,
  0x7d0b75fc7931n, 0x16f4ce4ba754an, 0x5ace4c03fbe49n, 0x27e0ec12a159cn, 0x795ee17530f67n,
  0x67d3c63dcfe7en, 0x112f0adc81aeen, 0x53df04c827165n, 0x2fe5b33b430f0n, 0x51c665e0c8d62n,
  0x25b0a52ecbd81n, 0x5dc0695fce4a9n, 0x3b928c575047dn, 0x23bf3512686e5n, 0x6cd19bf49dc54n,
  0x6612165afc386n, 0x1171aa36203ffn, 0x2642ea820a8aan, 0x1f3bb7b313f10n, 0x5e01b3a7429e4n,
  0x7619052179ca3n, 0xc16593f0afd0n, 0x265c4795c7428n, 0x31c40515d5442n, 0x7520f3db40b2en,
  0x50be3d39357a1n, 0x3ab33d294a7b6n, 0x4c479ba59edb3n, 0x4c30d184d326fn, 0x71092c9ccef3cn,
  0x3d8ac74051dcfn, 0x10ab6f543d0adn, 0x5d0f3ac0fda90n, 0x5ef1d2573e5e4n, 0x4173a5bb7137an,
  0x523f0364918cn, 0x687f56d638a7bn, 0x20796928ad013n, 0x5d38405a54f33n, 0xea15b03d0257n,
  0x56e31f0f9218an, 0x5635f88e102f8n, 0x2cbc5d969a5b8n, 0x533fbc98b347an, 0x5fc565614a4e3n,
  0x2e1e67790988en, 0x1e38b9ae44912n, 0x648fbb4075654n, 0x28df1d840cd72n, 0x3214c7409d466n,
  0x6570dc46d7ae5n, 0x18a9f1b91e26dn, 0x436b6183f42abn, 0x550acaa4f8198n, 0x62711c414c454n,
  0x1827406651770n, 0x4d144f286c265n, 0x17488f0ee9281n, 0x19e6cdb5c760cn, 0x5bea94073ecb8n,
  0xce63f343d2f8n, 0x1e0a87d1e368en, 0x45edbc019eean, 0x6979aed28d0d1n, 0x4ad0785944f1bn,
  0x5bf0912c89be4n, 0x62fadcaf38c83n, 0x25ec196b3ce2cn, 0x77655ff4f017bn, 0x3aacd5c148f61n,
  0x63b34c3318301n, 0xe0e62d04d0b1n, 0x676a233726701n, 0x29e9a042d9769n, 0x3aff0cb1d9028n,
  0x6430bf4c53505n, 0x264c3e4507244n, 0x74c9f19a39270n, 0x73f84f799bc47n, 0x2ccf9f732bd99n,
  0x5c7eb3a20405en, 0x5fdb5aad930f8n, 0x4a757e63b8c47n, 0x28e9492972456n, 0x110e7e86f4cd2n,
  0xd89ed603f5e4n, 0x51e1604018af8n, 0xb8eedc4a2218n, 0x51ba98b9384d0n, 0x5c557e0b9693n,
  0x6bbb089c20eb0n, 0x6df41fb0b9eeen, 0x51087ed87e16fn, 0x102db5c9fa731n, 0x289fef0841861n,
  0x1ce311fc97e6fn, 0x6023f3fb5db1fn, 0x7b49775e8fc98n, 0x3ad70adbf5045n, 0x6e154c178fe98n,
  0x16336fed69abfn, 0x4f066b929f9ecn, 0x4e9ff9e6c5b93n, 0x18c89bc4bb2ban, 0x6afbf642a95can,
  0x55070f913a8ccn, 0x765619eac2bbcn, 0x3ab5225f47459n, 0x76ced14ab5b48n, 0x12c093cedb801n,
  0xde0c62f5d2c1n, 0x49601cf734fb5n, 0x6b5c38263f0f6n, 0x4623ef5b56d06n, 0xdb4b851b9503n,
  0x47f9308b8190fn, 0x414235c621f82n, 0x31f5ff41a5a76n, 0x6736773aab96dn, 0x33aa8799c6635n,
  0xf588fc156cb1n, 0x363414da4f069n, 0x7296ad9b68aean, 0x4d3711316ae43n, 0x212cd0c1c8d58n,
  0x7f51ebd085cf2n, 0x12cfa67e3f5e1n, 0x1800cf1e3d46an, 0x54337615ff0a8n, 0x233c6f29e8e21n,
  0x4d5107f18c781n, 0x64a4fd3a51a5en, 0x4f4cd0448bb37n, 0x671d38543151en, 0x1db7778911914n,
  0x14769dd701ab6n, 0x28339f1b4b667n, 0x4ab214b8ae37bn, 0x25f0aefa0b0fen, 0x7ae2ca8a017d2n,
  0x352397c6bc26fn, 0x18a7aa0227bben, 0x5e68cc1ea5f8bn, 0x6fe3e3a7a1d5fn, 0x31ad97ad26e2an,
  0x17ed0920b962n, 0x187e33b53b6fdn, 0x55829907a1463n, 0x641f248e0a792n, 0x1ed1fc53a6622n,
]);

/** (2i+1) 2^128 B for i in 0..32, same layout as BASE_ODD. */
const BASE128_ODD: u64[] = arrayOf([
  0x304bfacad8ea2n, 0x502917d108b07n, 0x43176ca6dd0fn, 0x5d5158f2c1d84n, 0x2b5449e58eb3bn,
  0x27562eb3dbe47n, 0x291d7b4170be7n, 0x5d1ca67dfa8e1n, 0x2a88061f298a2n, 0x1304e9e71627dn,
  0x14d26adc9cfen, 0x7f1691ba16f13n, 0x5e71828f06eacn, 0x349ed07f0fffcn, 0x4468de2d7c2ddn,
  0x264bf710ecdf6n, 0x708c58527896bn, 0x42ceae6c53394n, 0x4381b21e82b6an, 0x6af93724185b4n,
  0x6cfab8de73e68n, 0x3e6efced4bd21n, 0x56609500dben, 0x71b7824ad85dfn, 0x577629c4a7f41n,
  0x24509c6a888n, 0x2696ab12e6644n, 0xcca27f4b80d8n, 0xc7c1f11b119en, 0x701f25bb0caecn,
  0x69bd55db1beeen, 0x6e14e47f731bdn, 0x1a35e47270eacn, 0x66f225478df8en, 0x366d44191cfd3n,
  0x2d48ffb5720adn, 0x57b7f21a1df77n, 0x5550effba0645n, 0x5ec6a4098a931n, 0x221104eb3f337n,
  0x41743f2bc8c14n, 0x796b0ad8773c7n, 0x29fee5cbb689bn, 0x122665c178734n, 0x4167a4e6bc593n,
  0xe28949770eb8n, 0x5559e88147b72n, 0x35e1e6e63ef30n, 0x35b109aa7ff6fn, 0x1f6a3e54f2690n,
  0x76cd05b9c619bn, 0x69654b0901695n, 0x7a53710b77f27n, 0x79a1ea7d28175n, 0x8fc3a4c677d5n,
  0x4c199d30734ean, 0x6c622cb9acc14n, 0x5660a55030216n, 0x68f1199f11fbn, 0x4f2fad0116b90n,
  0x27ef70e37c8cbn, 0x2372e3f4f28f8n, 0x42f4cdb25caa8n, 0x39b3ed4963c3n, 0x3bc6a10aa583bn,
  0x3c5db45dc2c78n, 0x500dc0f475f9n, 0x4744178b59aadn, 0x5001529064ca0n, 0x3fd86de2aebd0n,
  0x43d82f773aecbn, 0x4c3f518d2a046n, 0x699683330c311n, 0x2162de70b6f90n, 0x5326ccb694083n,
  0x7f192a0d2da41n, 0x68ddb03add844n, 0x71ec237d96975n, 0x19cd86a727660n, 0x4d4ec054daefen,
  0x21df92dcc5416n, 0x4fc27d07b53ean, 0x758b12ec6b5cn, 0x47ead8a3049e9n, 0x336d296b4cdcan,
  0x6fc516536cb46n, 0x46b1a1f65989an, 0x45ef0a45dbdc8n, 0x65c72795e27c1n, 0x15e397726486fn,
  0x53e4ea7c67900n, 0x2635ba772b229n, 0x1383eaeb47e06n, 0x79562356c8dfen, 0x22751f67f4f51n,
  0x2b749181b45c7n, 0x306207459d2c9n, 0x485013397893cn, 0x788153ad3db19n, 0x306cf6d5c4b1bn,
  0x366fa22060ed4n, 0x5682d7c4b1586n, 0x54937b9980b67n, 0x617ec016868e7n, 0x71bd6e5254388n,
  0x32923fa62600n, 0x324b28ff0708fn, 0x5200f517d969en, 0x6ee59a06905bfn, 0x63585a3c041f3n,
  0x8e93d9457638n, 0x75d2d13b014fn, 0x7b9040f62eecdn, 0x6dd3420e9a011n, 0xff6d3f433920n,
  0x34ee871911c90n, 0x319a82e7e09e4n, 0x41abcfc6b71e8n, 0x4c6c2668f8731n, 0x311875e37124bn,
  0x7f2e698108bc3n, 0x2069d2300c3e1n, 0x3df29d48a9c9fn, 0x3f1b2d8b79911n, 0x1507bdbfd15dn,
  0x3902ba576c31en, 0x66584478535dcn, 0x47673e961bc7dn, 0x21a37175f686an, 0x4e66ac10fd10dn,
  0x16ee64bc41599n, 0x200ad8e422607n, 0x70e44af172259n, 0x1c20d781feeefn, 0x438f9bd6192b4n,
  0x2585daccd272fn, 0x87a511695d86n, 0x59c1aa11f265cn, 0x5881334de80c8n, 0x15c0ef329180n,
  0x5a0bcbe14a0dn, 0x6abf8db4626cen, 0x6fbf742a7603fn, 0x330384c356f6bn, 0x4145064c98da4n,
  0xa888b7d09367n, 0x16bed285884b2n, 0x3b72e0690ab64n, 0x3d681c0705c11n, 0x56e25ac10737bn,
  0x1d2b8026b8590n, 0x1cf63aa44f600n, 0x5adb45df0f391n, 0x5776c12afd63en, 0x632c55dd101c8n,
  0x71580342a6fe1n, 0x49c3c859c4d2fn, 0x11c4b21f87428n, 0x5b4e5d5adc1f2n, 0x2c8a5e973ef7dn,
  0x6c193876345c2n, 0x4e38af02ca89an, 0x249d19a3ccfbdn, 0x2485b4b59bf3n, 0x3a5a6262b1a1an,
  0x19c42facd1780n, 0x3cc2ebf9ac0fan, 0x2a7c5b754fb71n, 0x521ac19c1c36cn, 0x15f8ae4ed49e8n,
  0x5fca0b051ef04n, 0x2c31311a4b5fdn, 0x4465822d2e285n, 0x2bdbdf9e7138n, 0x19a524af38331n,
  0x527cce400e185n, 0x7863e2a4c079n, 0x46b2b80d56c5fn, 0x18d74ad18ee1n, 0x36673a998c9acn,
  0x9ca34e10ecfbn, 0x319afad6706b1n, 0x55477d9360893n, 0x4a0c063a22941n, 0x1ce5a759e08b7n,
  0x710d0b964a572n, 0x6bd4eb8ac0191n, 0x30ead1a8bd79cn, 0x5d5f91a1ff3ban, 0x444d4a2c22c35n,
  0x66e793cb6768en, 0x28a769ac02292n, 0x6e0ce12ba740n, 0x4e634e53b284dn, 0x7fb66e8309c4cn,
  0x3c8b356ff458dn, 0x32e8b33b9a29fn, 0x3eb8f04e60e1dn, 0x343538444e2b3n, 0x7f3ef8f7b5560n,
  0x5ce99fd251dd3n, 0x5222db7e09452n, 0x610839761daa2n, 0x729361251d90an, 0x322e6c8b12009n,
  0x34cc4aa042df9n, 0x2919d1153229fn, 0xfd5472609a62n, 0x11182b5554a53n, 0x77e06912f5320n,
  0x13f9b22c65837n, 0x7911d259e0fa8n, 0x583f1c7af0714n, 0x69dd02c135262n, 0x3585c71403cffn,
  0x572e5e0d95853n, 0x64f7222664d6n, 0x5eb06a7262f0fn, 0x3c3c0383689d3n, 0x22d879bddc127n,
  0x681d236a6a6cdn, 0x5b6fd496a0325n, 0x4782965a953c5n, 0x1df7dec0a1f14n, 0x3d574f25add60n,
  0x6256ee47de376n, 0x72d5086dc5577n, 0x469a4dd28c5bbn, 0x3123ce639fd4fn, 0x244dc732037d6n,
  0x1f82bcff9065bn, 0x62ff389309787n, 0x183e727939e54n, 0x722da291b93a3n, 0x3843b767d26fn,
  0x673abe9cb5a6an, 0x7ff106cf8d535n, 0x6a0cb9e81c0d9n, 0x2f8a939326d2cn, 0x440796ea38911n,
  0x1bc3cb162a2bbn, 0x48bd172f98b27n, 0x5f2fbd91b266an, 0x6e7d28f2d06f8n, 0x57e43c54014a2n,
  0x56b845f227fcn, 0x277bf55711cc3n, 0x1a4d52df4a3c1n, 0x6b33e47dd2470n, 0x61ad6337f65bbn,
  0x762279774ac84n, 0xfc935c706d24n, 0x655ca1878ab51n, 0x70d235bcc73e5n, 0x3a65f7dd94d55n,
  0x3ed969bc070a1n, 0x37837998db1b5n, 0x7da52508e67bn, 0x78b61b4d3d716n, 0xe7e86ee8743dn,
  0x55144757a6b6n, 0x3eae334bb9c40n, 0x342179992bfe6n, 0x187960ec0fb61n, 0x7b523191c96d6n,
  0x5d626a40bf9a7n, 0x4430ab7f8eb98n, 0x64aad5ff30b03n, 0xa1973bd16a5cn, 0x5a3bdac13ee0en,
  0x2be74ea341cfen, 0x1b52bc46e5d66n, 0x28bdde688f446n, 0x66c942f4f20aen, 0x2e2dbcf8ee8b1n,
  0x791c45a90de4en, 0x2cdf7c2a1f246n, 0x630725ef8fa1en, 0x11d774784b465n, 0x2438accd12b3an,
  0x438165e7d9718n, 0xc6a8626bbe62n, 0x13d6506861a2cn, 0x23f06b1ab72e6n, 0x422533da4f81cn,
  0x48f3afda677c8n, 0x2414b28ec7d59n, 0x17fe318477256n, 0x297555637789en, 0x191a5a7a068d1n,
  0x5b76578afe5c2n, 0x64faa1cd96757n, 0x6efd8390ef9ben, 0x6d0f51a341e6cn, 0x3b7412cb9a7fbn,
  0x3873dccf344d2n, 0x179b167c94977n, 0x5e1a482011098n, 0x188d6f08ff311n, 0x460c73b39c1a5n,
  0x112ca4f0f4f6n, 0x6a93a9be16f8en, 0x30a99a575a56an, 0x256d9e41a098en, 0x4389281dffb6en,
  0x5036c8b413een, 0x57a9f07fcb9cfn, 0x48a91a9a6b931n, 0x6d6d27a7ab5c8n, 0x12fa9323f7e5bn,
  0x52c7e0f016661n, 0x65dc23447b44en, 0x76bdea35e11dcn, 0x5afaaecf7a068n, 0x62fe4f3291fd6n,
  0x5f1a481edeb9bn, 0x2198c39a56646n, 0x1cdfd864e3805n, 0x737bb744d6419n, 0x589b10bc4ac89n,
  0xab3c808aaf43n, 0x7df4c52d86ad0n, 0x76014a4a0624dn, 0x1eacff6f24636n, 0x256b2752571aan,
  0x600941a089098n, 0x7ed3e7505b187n, 0x48dab5da74691n, 0x518e7a445f58an, 0x1d5dd5b4ca3c5n,
  0x7b0aab96c6533n, 0x5793a332eb759n, 0x6ffef3dc76ffdn, 0x38c3b1afe41c2n, 0x4bc64f58d2b8cn,
  0x7fe2411806b63n, 0x310f0ebfb4bffn, 0x523867b5d5e98n, 0x68f35eec7af1n, 0x5644538565c13n,
  0x3dcb4702c6e41n, 0xbc8c5d40692an, 0x6765ead7fcd04n, 0x1d512214f2fc0n, 0x2c732edb160ddn,
  0x2222cc0d07babn, 0x754a69659eb02n, 0x69923351bf2c6n, 0x5448b09d54b82n, 0x15ade612e6705n,
  0x365bf0e5ed659n, 0x3ad875a8f901fn, 0x64ebb840a4375n, 0x476ebc2880d47n, 0x61c92798070e7n,
  0xcd68c78711d3n, 0x7a4c081417967n, 0x9f966c5549d7n, 0x2a7bfc7e15d6cn, 0x963e77388ee2n,
  0x2264005dc8586n, 0x75c22c6975db0n, 0x359a12853732an, 0x63528519b6c66n, 0x66dc12d7d57aan,
  0x63efec21c94c1n, 0x58c644dcf2b35n, 0x24b60fdfbf1ffn, 0x7dadbc6618c4n, 0x6db201a6feaabn,
  0x4f29891a13848n, 0x161d6bce4d3e2n, 0x31cce45d4b6f7n, 0x69998b40375d3n, 0x6ff28eedde2f0n,
  0x100059da1c56an, 0x1ade51e62b120n, 0xe89b456c1898n, 0x5cff5ca4363abn, 0x39c3757ed5767n,
  0x502ba3c9be64bn, 0x37444a609c642n, 0x6cb50ee7528e3n, 0x3bc19d6be4016n, 0x4ca73314cb2e8n,
  0x4ef5ee736feb6n, 0x588115e8349cbn, 0x8d0d695d7b99n, 0x6b0c4a4f52c56n, 0x29b77da7cfa38n,
  0x2e519eb3bc54cn, 0x7de6041d4de3bn, 0x3fec1561e0826n, 0x64e6640073b2bn, 0x77ac5d895f34n,
  0x46ae5a0af5405n, 0x24c988f74c13en, 0x4f4b2d8f77bbbn, 0xb1e207cf9ab7n, 0x19cb6e163a013n,
  0x32d49cd928467n, 0x716f18a57a0bn, 0x13e4d5643e221n, 0x124753868d031n, 0x28cf075cfbfc7n,
  0x1f10e761c1c78n, 0x731e6ca073a4cn, 0x6c567a169e44fn, 0x3f841f0db959en, 0x463667375232dn,
  0x6b9c4b96ff18dn, 0x2d9fc21896fd5n, 0x3416902044111n, 0x4bfccb475d9c1n, 0x13cdcd90e4a52n,
  0x161b0544b9705n, 0x8316848737bcn, 0xc3c571cde36cn, 0x70aec9336d8adn, 0x63cc2a7767140n,
  0x4eb5c5ffbf0b3n, 0x2545761884688n, 0x1214403700cb3n, 0x5a3276d444b01n, 0xaddf10182f7an,
  0x162eb41f9ecc0n, 0x6a4313280c201n, 0x168552e781f08n, 0x7461324a00c60n, 0x2e8544994b549n,
  0x1c4803721e2aen, 0x41f7faf610b5cn, 0x48196fa3b3ad3n, 0x4f281691dc602n, 0x6ae105ca6cc97n,
  0x529058c9c2292n, 0x52556461e47c1n, 0x417e1e5ae1743n, 0x1d91359498c60n, 0x5f5013fc96f98n,
  0xce59e4571614n, 0x58502eebe5ddcn, 0xebe109fe92dbn, 0x71d4972193423n, 0x5441142a05935n,
  0x63b8b840cdcc4n, 0x12c7c2aa2b24bn, 0x6e5d40c38dd08n, 0x248d99f26eb14n, 0x192ca5e2c5141n,
  0x34a2eae439c17n, 0x16dbe892f534bn, 0x2ae5ff3722c5n, 0x241b1a60023b5n, 0x5ffc080de83d2n,
  0x7577cb7836d46n, 0x4ebdffe76183en, 0x447b260e9e190n, 0xb5aa71a22989n, 0x35328da078d73n,
  0x7f3b741e8b96an, 0x2efedbf8142fcn, 0x6ca9b172234fn, 0x5bea4f32f7b68n, 0x79f2a61578d3bn,
  0x19357f78bb71n, 0x1dad81eb70cf0n, 0x1db04ab4c367dn, 0x257582289ec53n, 0x68d85d91b1e9en,
  0x7dda43a9bc6fcn, 0x6e591f951480an, 0x2f526c479e13bn, 0x5ef3e886e07a6n, 0x2dc637f3ee129n,
  0x489f50b888e89n, 0x2e70c706cb1d6n, 0x2368045088096n, 0x99c461d46dfan, 0xc821cbd654fbn,
]);

class Cached {
  YplusX = new Fe();
  YminusX = new Fe();
  Z = new Fe();
  T2d = new Fe();
}

function p3ToCached(r: Cached, p: P3): void {
  const d2 = new Fe();
  feLoad(d2, CONSTS, OFF_D2);
  feAdd(r.YplusX, p.Y, p.X);
  feSub(r.YminusX, p.Y, p.X);
  feCopy(r.Z, p.Z);
  feMul(r.T2d, p.T, d2);
}

/** r = p + q, or p - q when negate. */
function addCached(r: P1P1, p: P3, q: Cached, negate: bool): void {
  const t0 = new Fe();
  feAdd(r.X, p.Y, p.X);
  feSub(r.Y, p.Y, p.X);
  if (negate) {
    feMul(r.Z, r.X, q.YminusX);
    feMul(r.Y, r.Y, q.YplusX);
  } else {
    feMul(r.Z, r.X, q.YplusX);
    feMul(r.Y, r.Y, q.YminusX);
  }
  feMul(r.T, q.T2d, p.T);
  feMul(r.X, p.Z, q.Z);
  feAdd(t0, r.X, r.X);
  feSub(r.X, r.Z, r.Y);
  feAdd(r.Y, r.Z, r.Y);
  if (negate) {
    feSub(r.Z, t0, r.T);
    feAdd(r.T, t0, r.T);
  } else {
    feAdd(r.Z, t0, r.T);
    feSub(r.T, t0, r.T);
  }
}

/** q = table[i] (table: BASE_ODD or BASE128_ODD). */
function loadBase(q: Precomp, table: u64[], i: u32): void {
  const off = u32(i * 15);
  feLoad(q.ypx, table, off);
  feLoad(q.ymx, table, u32(off + 5));
  feLoad(q.xy2d, table, u32(off + 10));
}

/** True when y = s[0..32) (bit 255 ignored) is < p. */
function isCanonicalY(s: u8[]): bool {
  if (u32(s[31] & 0x7f) != 0x7f) {
    return true;
  }
  for (let i: u32 = 30; i > 0; i--) {
    if (s[i] != 0xff) {
      return true;
    }
  }
  return s[0] < 0xed;
}

/**
 * RFC 8032 5.1.3 point decoding into h (Z = 1), strict: rejects y >= p, y values with
 * no x on the curve, and x = 0 with the sign bit set. When negate, h = -point.
 */
function decompress(h: P3, s: u8[], negate: bool): bool {
  if (!isCanonicalY(s)) {
    return false;
  }
  const one = new Fe();
  const u = new Fe();
  const v = new Fe();
  const v3 = new Fe();
  const vxx = new Fe();
  const chk = new Fe();
  const k = new Fe();
  const x = h.X;
  const y = h.Y;
  feOne(one);
  feFromBytes(y, s);
  feOne(h.Z);
  feSq(u, y);
  feLoad(k, CONSTS, OFF_D);
  feMul(v, u, k);
  feSub(u, u, one);
  feCarry(u, u); // u = y^2 - 1
  feAdd(v, v, one); // v = d y^2 + 1
  feSq(v3, v);
  feMul(v3, v3, v); // v^3
  feSq(x, v3);
  feMul(x, x, v);
  feMul(x, x, u); // u v^7
  fePow22523(x, x);
  feMul(x, x, v3);
  feMul(x, x, u); // u v^3 (u v^7)^((p-5)/8)
  feSq(vxx, x);
  feMul(vxx, vxx, v);
  feSub(chk, vxx, u);
  if (!feIsZero(chk)) {
    feAdd(chk, vxx, u);
    if (!feIsZero(chk)) {
      return false;
    }
    feLoad(k, CONSTS, OFF_SQRTM1);
    feMul(x, x, k);
  }
  const sign = u32(s[31] >>> 7) == 1;
  if (sign && feIsZero(x)) {
    return false;
  }
  if (feIsNegative(x) != (sign != negate)) {
    feNeg(x, x);
  }
  feMul(h.T, x, y);
  return true;
}

/** True when the projective point (X:Y:Z) is the identity (X = 0, Y = Z). */
function isIdentity(p: P2): bool {
  const t = new Fe();
  if (!feIsZero(p.X)) {
    return false;
  }
  feSub(t, p.Y, p.Z);
  return feIsZero(t);
}

/** q = [8]q (t is scratch). */
function timesEight(q: P2, t: P1P1): void {
  for (let i: u32 = 0; i < 3; i++) {
    dbl(t, q.X, q.Y, q.Z);
    p1p1ToP2(q, t);
  }
}

/** True when [8]p is the identity (t and q are scratch). */
function isSmallOrder(p: P3, t: P1P1, q: P2): bool {
  feCopy(q.X, p.X);
  feCopy(q.Y, p.Y);
  feCopy(q.Z, p.Z);
  timesEight(q, t);
  return isIdentity(q);
}

function maxU32(a: u32, b: u32): u32 {
  return a > b ? a : b;
}

/** tab[i] = (2i+1)p for i in 0..8. */
function buildTable(tab: Cached[], p: P3): void {
  const t = new P1P1();
  const u = new P3();
  const p2 = new P3();
  p3ToCached(tab[0], p);
  dbl(t, p.X, p.Y, p.Z);
  p1p1ToP3(p2, t);
  for (let i: u32 = 1; i < 8; i++) {
    addCached(t, p2, tab[u32(i - 1)], false);
    p1p1ToP3(u, t);
    p3ToCached(tab[i], u);
  }
}

/** t = t + digit * (the table's point), negated when negate; no-op for a zero digit. */
function addDigit(t: P1P1, u: P3, digit: i8, tab: Cached[], negate: bool): void {
  const v = i32(digit);
  if (v == 0) {
    return;
  }
  p1p1ToP3(u, t);
  if (v > 0) {
    addCached(t, u, tab[u32(v) >>> 1], negate);
  } else {
    addCached(t, u, tab[u32(-v) >>> 1], !negate);
  }
}

/** t = t + digit * (the constant table's point); no-op for a zero digit. */
function addBaseDigit(t: P1P1, u: P3, digit: i8, table: u64[]): void {
  const v = i32(digit);
  if (v == 0) {
    return;
  }
  const q = new Precomp();
  loadBase(q, table, v > 0 ? u32(v) >>> 1 : u32(-v) >>> 1);
  p1p1ToP3(u, t);
  if (v > 0) {
    madd(t, u, q);
  } else {
    msub(t, u, q);
  }
}

/**
 * t = [e]B + [c](negP ? -P : P) + [d]Q for a 32-byte e < 2^256 and 16-byte c, d, where
 * tabP and tabQ hold the odd multiples of P and Q (buildTable).
 */
function multiScalar(t: P1P1, e: u8[], c: u8[], tabP: Cached[], negP: bool, d: u8[], tabQ: Cached[]): void {
  const n0: i8[] = array(129, 0);
  const n1: i8[] = array(129, 0);
  const n2: i8[] = array(129, 0);
  const n3: i8[] = array(129, 0);
  let top = scWnaf(n0, slice(e, 0, 16), 7);
  top = maxU32(top, scWnaf(n1, slice(e, 16, 32), 7));
  top = maxU32(top, scWnaf(n2, c, 5));
  top = maxU32(top, scWnaf(n3, d, 5));
  const r = new P2();
  const u = new P3();
  feZero(r.X);
  feOne(r.Y);
  feOne(r.Z);
  // The identity as a completed point, for all-zero scalars.
  feZero(t.X);
  feOne(t.Y);
  feOne(t.Z);
  feOne(t.T);
  for (let n: u32 = top; n > 0; n--) {
    const i = u32(n - 1);
    dbl(t, r.X, r.Y, r.Z);
    addBaseDigit(t, u, n0[i], BASE_ODD);
    addBaseDigit(t, u, n1[i], BASE128_ODD);
    addDigit(t, u, n2[i], tabP, negP);
    addDigit(t, u, n3[i], tabQ, false);
    if (i != 0) {
      p1p1ToP2(r, t);
    }
  }
}

/**
 * Verifies the 64-byte signature (R || S) of message under the 32-byte public key.
 * Returns false for wrong lengths and for everything the policy in the header rejects.
 */
export function ed25519Verify(signature: u8[], message: u8[], publicKey: u8[]): bool {
  if (signature.length != 64 || publicKey.length != 32) {
    return false;
  }
  const rBytes = slice(signature, 0, 32);
  const sBytes = slice(signature, 32, 64);
  if (!scIsCanonical(sBytes)) {
    return false;
  }
  const negA = new P3();
  if (!decompress(negA, publicKey, true)) {
    return false;
  }
  const negR = new P3();
  if (!decompress(negR, rBytes, true)) {
    return false;
  }
  const t = new P1P1();
  const q = new P2();
  if (isSmallOrder(negA, t, q)) {
    return false;
  }
  // k = SHA-512(R || A || M) mod L
  const digest: u8[] = array(64, 0);
  const k: u8[] = array(32, 0);
  const hasher = new Sha512();
  hasher.init();
  hasher.update(rBytes);
  hasher.update(publicKey);
  hasher.update(message);
  hasher.finalize(digest);
  scReduce64(k, digest);
  // c = d k (mod L), |c|, |d| < 2^127; e = |d| S mod L.
  const c: u8[] = array(16, 0);
  const d: u8[] = array(16, 0);
  const e: u8[] = array(32, 0);
  const dNegative = scHalfSize(k, c, d);
  scMulShort(e, d, sBytes);
  // d > 0: [e]B + [c](-A) + [d](-R);  d < 0 (times -1): [e]B + [c]A + [|d|](-R).
  const tabA = structs(8, Cached);
  const tabR = structs(8, Cached);
  buildTable(tabA, negA);
  buildTable(tabR, negR);
  multiScalar(t, e, c, tabA, dNegative, d, tabR);
  p1p1ToP2(q, t);
  timesEight(q, t);
  return isIdentity(q);
}
