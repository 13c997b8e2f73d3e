package dev.cramjet.text;

/** The fixed special tokens at the start of every Cramjet vocabulary: [PAD]=0, [UNK]=1, [CLS]=2, [SEP]=3, [MASK]=4. */
public final class SpecialTokens {
  public static final String PAD = "[PAD]";
  public static final String UNK = "[UNK]";
  public static final String CLS = "[CLS]";
  public static final String SEP = "[SEP]";
  public static final String MASK = "[MASK]";

  public static final int PAD_ID = 0;
  public static final int UNK_ID = 1;
  public static final int CLS_ID = 2;
  public static final int SEP_ID = 3;
  public static final int MASK_ID = 4;

  /** In id order. */
  public static final String[] ALL = {PAD, UNK, CLS, SEP, MASK};

  /** Number of special tokens; ordinary tokens start at this id. */
  public static final int COUNT = ALL.length;

  private SpecialTokens() {}
}
