// nitro_crc: combinational reflected CRC-32 over a fixed-length message.
// init 0xFFFFFFFF, final xor 0xFFFFFFFF. POLY 0x82F63B78 = CRC-32C, 0xEDB88320 = IEEE CRC-32.
// The message is big-endian packed: byte 0 (the first byte hashed) is msg[8*NBYTES-1 -: 8].
// A fixed-length CRC is affine in the message: crc(msg) = M * msg ^ crc(0). The XOR matrix M
// (one mask of message bits per CRC bit) and crc(0) are worked out at elaboration by running
// the bit-serial CRC on the unit vectors, so the circuit is 32 XOR trees, one a CRC bit.
// `en` isolates the trees: without it crc is 0 and nothing is computed (a stage without a
// packet, whose hash nobody reads), so an idle unit costs the simulation nothing.
module nitro_crc #(
  parameter int          NBYTES = 7,            // message length in bytes (>= 1)
  parameter logic [31:0] POLY   = 32'h82F63B78  // reflected polynomial
) (
  input  logic                en,   // a message is there to hash
  input  logic [8*NBYTES-1:0] msg,  // message, first byte in the top bits
  output logic [31:0]         crc   // CRC of msg
);

  localparam int MW = 8 * NBYTES;

  if (NBYTES < 1) begin : g_chk_nbytes
    $error("nitro_crc: NBYTES must be >= 1");
  end

  // The bit-serial CRC (the definition), for elaboration only.
  function automatic logic [31:0] serial_crc(input logic [MW-1:0] m);
    logic [31:0] c;
    c = 32'hFFFF_FFFF;
    for (int i = 0; i < NBYTES; i++) begin
      c = c ^ {24'h0, m[8*(NBYTES-1-i) +: 8]};
      for (int b = 0; b < 8; b++) begin
        c = (c >> 1) ^ (POLY & {32{c[0]}});
      end
    end
    serial_crc = ~c;
  endfunction

  // M as 32 masks of MW bits, CRC bit i's at [i*MW +: MW]: column j is what message bit j flips.
  function automatic logic [32*MW-1:0] crc_matrix(input int unused);
    logic [31:0] c0, cj;
    crc_matrix = '0;
    c0 = serial_crc('0);
    for (int j = 0; j < MW; j++) begin
      cj = serial_crc(MW'(1) << j) ^ c0;
      for (int i = 0; i < 32; i++) crc_matrix[i*MW + j] = cj[i];
    end
  endfunction

  localparam logic [31:0]      CRC0 = serial_crc('0);
  localparam logic [32*MW-1:0] M    = crc_matrix(0);

  always_comb begin
    crc = '0;
    if (en) begin
      for (int i = 0; i < 32; i++) crc[i] = CRC0[i] ^ (^(msg & M[i*MW +: MW]));
    end
  end

endmodule
