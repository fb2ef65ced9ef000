import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString } from 'class-validator';

export class SubmitRequestDto {
  @ApiProperty({
    description: 'Text to summarize, or an http(s) URL whose page is fetched and summarized.',
    example: 'https://example.com/article',
  })
  @IsString({ message: 'input must be a string' })
  @IsNotEmpty({ message: 'input must not be empty' })
  readonly input!: string;
}
