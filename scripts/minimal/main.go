// Command minimal is the floor the app's synthesis is measured against
// (scripts/bench): a Go cdktf app with the same pinned packages and
// nothing of ours, one stack with the AWS provider and one S3 bucket,
// synthesized into ./cdktf.out.
package main

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

func main() {
	app := cdktf.NewApp(nil)
	stack := cdktf.NewTerraformStack(app, jsii.String("minimal"))
	provider.NewAwsProvider(stack, jsii.String("aws"), &provider.AwsProviderConfig{Region: jsii.String("us-east-1")})
	s3bucket.NewS3Bucket(stack, jsii.String("bucket"), &s3bucket.S3BucketConfig{Bucket: jsii.String("minimal-bench-bucket")})
	app.Synth()
	// Stops the kernel and removes the runtime's temporary directory, as
	// the app does.
	jsii.Close()
}
