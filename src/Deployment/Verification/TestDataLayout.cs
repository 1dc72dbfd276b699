namespace EdgeRnn.Deployment.Verification;

/// <summary>
/// The ONNX backend test-data layout: <c>model.onnx</c> plus <c>test_data_set_N/input_K.pb</c> and <c>output_K.pb</c>.
/// The desktop writes such folders (<c>edgernn testdata</c>); <see cref="TestDataVerifier"/> reads them, on the device too.
/// </summary>
public static class TestDataLayout
{
    /// <summary>The model file name inside a test folder.</summary>
    public const string ModelFileName = "model.onnx";

    /// <summary>The prefix of data-set folders (<c>test_data_set_0</c>, <c>test_data_set_1</c>, ...).</summary>
    public const string DataSetPrefix = "test_data_set_";
}
